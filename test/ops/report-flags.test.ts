// `npm run report` as a person types it, through the real npm: flags npm keeps for itself (no `--`) get a hint with
// the command to type, and a malformed --day is named as the flag. No stack is needed: nothing is called.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { root } from '../dev/support.ts';

const run = promisify(execFile);
/** `npm run report <args>` (as typed: `--` only when the caller gives it): exit code and all output. */
const npmReport = (args: string[]): Promise<{ code: number; out: string }> =>
  run('npm', ['run', '--silent', 'report', ...args], {
    cwd: root,
    env: { ...process.env, GOOGLE_CLOUD_PROJECT: '' },
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr }),
  );

describe('npm run report flags', () => {
  it('without `--`, says to put `--` before the flags, with the command to type', async () => {
    const r = await npmReport(['--day', '2026-11-22', '--wait']);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain("Unexpected argument '2026-11-22'");
    expect(r.out).toContain('npm run report -- --day 2026-11-22 --wait');
  });

  it('names --day when it is missing or not a date', async () => {
    const missing = await npmReport(['--', '--wait']);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('--day is required');
    const bad = await npmReport(['--', '--day', '22.11.2026']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--day must be a date as YYYY-MM-DD, got "22.11.2026"');
  });
});
