/** The one table `deploy.sh verify` and `npm run verify` print: check, expected, found; a mismatch marked ✗. */
import type { Row } from './http-checks.ts';

/** Cuts a long cell so the table stays readable (the whole value is rarely needed to see a mismatch). */
const cell = (s: string, max = 90) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function verifyTable(rows: Row[]): string {
  const lines: [string, string, string, string][] = [
    [' ', 'check', 'expected', 'found'],
    ...rows.map((r): [string, string, string, string] => [r.ok ? '✓' : '✗', r.check, cell(r.expected), cell(r.found)]),
  ];
  const w = [1, 2, 3].map((i) => Math.max(...lines.map((l) => l[i]!.length)));
  const rule = `──┼${w.map((n) => '─'.repeat(n + 2)).join('┼')}`;
  const fmt = (l: string[]) => `${l[0]} │ ${l[1]!.padEnd(w[0]!)} │ ${l[2]!.padEnd(w[1]!)} │ ${l[3]}`.trimEnd();
  const bad = rows.filter((r) => !r.ok).length;
  return [
    fmt(lines[0]!),
    rule,
    ...lines.slice(1).map(fmt),
    '',
    bad ? `${bad} of ${rows.length} checks do not match` : `all ${rows.length} checks match`,
  ].join('\n');
}
