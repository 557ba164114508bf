/** `npm run demo`'s table: one row per event sent, with its answer, task, attempts and email. */
import type { DemoRow } from './demo.ts';

export function demoTable(rows: DemoRow[]): string {
  const head = ['#', 'event', 'answer', 'task', 'attempts', 'email in the outbox'];
  const body = rows.map((r) => {
    const err = (r.answer as { error?: { code?: string; details?: { path: string }[] } })?.error;
    const answer = r.status === 202 || r.status === 200 ? `${r.status}${r.duplicate ? ' duplicate' : ''}` : `${r.status}${err?.code ? ` ${err.code}` : ''}${err?.details?.length ? ` (${[...new Set(err.details.map((d) => d.path.split('.').pop()))].join(', ')})` : ''}`;
    const task = r.task ? `…/${r.task.split('/').pop()!.slice(0, 10)}${r.duplicate ? ' (same task)' : ''}` : '—';
    const attempts = r.task ? `${r.attempts}${r.lastStatus !== undefined ? ` → ${r.lastStatus}` : ''}${r.queued ? ' (queued)' : ''}` : '—';
    const subject = r.expect === 'duplicate' ? (r.subject ? `none new (${r.subject})` : '—') : (r.subject ?? '—');
    return [String(r.n), r.label, answer, task, attempts, `${r.ok ? '✓' : '✗'} ${subject}`];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
}
