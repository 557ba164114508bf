/** `npm run demo`'s table: one row per event sent, with its answer, task, attempts and email. */
import type { Delivery } from './demo-deliveries.ts';

export interface DemoRow {
  n: number;
  label: string;
  eventId: string;
  orderId: string;
  expect: Delivery['expect'];
  status: number;
  /** The webhook's answer body (JSON) or text. */
  answer: unknown;
  task?: string;
  duplicate?: boolean;
  /** Dispatch attempts of the task so far, and the last one's status and outcome. */
  attempts: number;
  lastStatus?: number;
  outcome?: string;
  /** Whether the task is still queued in the emulator. */
  queued?: boolean;
  subject?: string;
  emailId?: string;
  ok: boolean;
}

export function demoTable(rows: DemoRow[]): string {
  const head = ['#', 'event', 'answer', 'task', 'attempts', 'email in the outbox'];
  const body = rows.map((r) => {
    const err = (r.answer as { error?: { code?: string; details?: { path: string }[] } })?.error;
    const answer =
      r.status === 202 || r.status === 200
        ? `${r.status}${r.duplicate ? ' duplicate' : ''}`
        : `${r.status}${err?.code ? ` ${err.code}` : ''}${err?.details?.length ? ` (${[...new Set(err.details.map((d) => d.path.split('.').pop()))].join(', ')})` : ''}`;
    const task = r.task ? `…/${r.task.split('/').pop()!.slice(0, 10)}${r.duplicate ? ' (same task)' : ''}` : '—';
    const attempts = r.task
      ? `${r.attempts}${r.lastStatus !== undefined ? ` → ${r.lastStatus}` : ''}${r.queued ? ' (queued)' : ''}`
      : '—';
    const subject = r.expect === 'duplicate' ? (r.subject ? `none new (${r.subject})` : '—') : (r.subject ?? '—');
    return [String(r.n), r.label, answer, task, attempts, `${r.ok ? '✓' : '✗'} ${subject}`];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
}
