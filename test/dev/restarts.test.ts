// The runner's restart policy (local/dev/restarts.ts) with a fake clock: the backoff doubles with each crash within
// the window, the crash that reaches the limit stops the stack with the part's last log lines, and crashes older than
// the window no longer count.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogStream } from '../../local/dev/log.ts';
import { createRestarts } from '../../local/dev/restarts.ts';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

function setup() {
  const out: string[] = [];
  const log = createLogStream({ color: false, write: (s) => void out.push(s) });
  const stops: string[] = [];
  let redescribed = 0;
  const restarts = createRestarts({
    log,
    stopping: () => stops.length > 0,
    stop: (_code, reason) => void stops.push(reason),
    redescribe: () => void redescribed++,
    now: Date.now,
  });
  let restarted = 0;
  const restart = async (): Promise<number> => 1000 + ++restarted;
  return { out, log, stops, restarts, restart, restarted: () => restarted, redescribed: () => redescribed };
}

describe('the dev runner restarts', () => {
  it('waits 250, 500, 1000, 2000 ms before the restarts, then stops on the fifth crash within a minute', async () => {
    const t = setup();
    t.log.line('mail', 'mail sink listening on http://127.0.0.1:8025');
    for (const [n, wait] of [
      [1, 250],
      [2, 500],
      [3, 1000],
      [4, 2000],
    ] as const) {
      t.restarts.crashed('mail', 'signal SIGKILL', t.restart);
      expect(t.out.join('')).toContain(
        `mail exited unexpectedly (signal SIGKILL): starting it again in ${wait} ms (crash ${n} within 60 s; 5 stop the stack)`,
      );
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(t.restarted()).toBe(n - 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(t.restarted()).toBe(n);
      expect(t.redescribed()).toBe(n);
      expect(t.out.join('')).toContain(`mail is running again (pid ${1000 + n}`);
    }
    t.restarts.crashed('mail', 'code 1', t.restart);
    expect(t.stops).toHaveLength(1);
    expect(t.stops[0]).toMatch(
      /^mail exited unexpectedly \(code 1\), its 5th crash within 60 s: stopping the rest\. Its last log lines:\n {4}mail sink listening on/,
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.restarted()).toBe(4);
  });

  it('counts only the crashes of the last minute, per part, and a crash during a restart as that restart failing', async () => {
    const t = setup();
    for (let i = 0; i < 4; i++) {
      t.restarts.crashed('tasks', 'signal SIGKILL', t.restart);
      await vi.advanceTimersByTimeAsync(5000);
    }
    await vi.advanceTimersByTimeAsync(60_000);
    t.restarts.crashed('tasks', 'signal SIGKILL', t.restart);
    expect(t.out.join('')).toContain('starting it again in 250 ms (crash 1 within 60 s');
    // Another part has its own count; a second report while its restart is pending is not a second crash.
    t.restarts.crashed('send-notification', 'code 16', t.restart);
    t.restarts.crashed('send-notification', 'code 16', t.restart);
    expect(t.out.join('').match(/send-notification exited unexpectedly/g)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(t.stops).toEqual([]);
  });

  it('stops when a restart fails, naming the part and the reason', async () => {
    const t = setup();
    t.restarts.crashed('storefront-webhook', 'code 1', () =>
      Promise.reject(new Error('storefront-webhook exited before it listened (code 1)')),
    );
    await vi.advanceTimersByTimeAsync(250);
    expect(t.stops).toEqual([
      expect.stringMatching(
        /^storefront-webhook could not be started again: storefront-webhook exited before it listened \(code 1\)\. It wrote no log lines\.$/,
      ),
    ]);
  });
});
