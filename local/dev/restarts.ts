/**
 * What the dev runner does when a part exits on its own, as Cloud Run replaces a crashed instance: a function, the
 * Cloud Tasks emulator and the mail sink are started again (their state is on disk), after a backoff that doubles
 * with each crash of the last minute. A part that crashed `maxCrashes` times within a minute stops the stack, with
 * its last log lines.
 */
import type { LogStream } from './log.ts';

export interface RestartPolicy {
  /** Crashes within `windowMs` that stop the stack instead of a restart. @default 5 */
  maxCrashes: number;
  /** @default 60000 */
  windowMs: number;
  /** Wait before the restart after the first crash of the window; doubles with each further crash. @default 250 */
  firstBackoffMs: number;
  /** @default 4000 */
  maxBackoffMs: number;
}

export const RESTART_POLICY: RestartPolicy = {
  maxCrashes: 5,
  windowMs: 60_000,
  firstBackoffMs: 250,
  maxBackoffMs: 4000,
};

export interface Restarts {
  /**
   * `name` exited unexpectedly (`how`: `signal SIGKILL`, `code 1`): starts it again with `restart` (which resolves
   * with the new pid once it is ready), or stops the stack when it keeps crashing. A crash while its restart is under
   * way counts as that restart failing.
   */
  crashed(name: string, how: string, restart: () => Promise<number>): void;
}

export function createRestarts(o: {
  log: LogStream;
  stopping(): boolean;
  stop(code: number, reason: string): void;
  /** Rewrites stack.json (the new pid). */
  redescribe(): void;
  policy?: RestartPolicy;
  now?: () => number;
}): Restarts {
  const policy = o.policy ?? RESTART_POLICY;
  const now = o.now ?? Date.now;
  const crashes = new Map<string, number[]>();
  const restarting = new Set<string>();
  const lastLines = (name: string): string => {
    const lines = o.log.recent(name);
    return lines.length ? `Its last log lines:\n${lines.map((l) => `    ${l}`).join('\n')}` : 'It wrote no log lines.';
  };

  return {
    crashed(name, how, restart) {
      if (o.stopping() || restarting.has(name)) return;
      const t = now();
      const recent = [...(crashes.get(name) ?? []).filter((c) => t - c < policy.windowMs), t];
      crashes.set(name, recent);
      if (recent.length >= policy.maxCrashes) {
        o.stop(
          1,
          `${name} exited unexpectedly (${how}), its ${recent.length}th crash within ${policy.windowMs / 1000} s: ` +
            `stopping the rest. ${lastLines(name)}`,
        );
        return;
      }
      const wait = Math.min(policy.maxBackoffMs, policy.firstBackoffMs * 2 ** (recent.length - 1));
      o.log.warn(
        `${name} exited unexpectedly (${how}): starting it again in ${wait} ms ` +
          `(crash ${recent.length} within ${policy.windowMs / 1000} s; ${policy.maxCrashes} stop the stack)`,
      );
      restarting.add(name);
      setTimeout(() => {
        if (o.stopping()) return void restarting.delete(name);
        const began = now();
        restart().then(
          (pid) => {
            restarting.delete(name);
            if (o.stopping()) return;
            o.redescribe();
            o.log.info(`${name} is running again (pid ${pid}, ready after ${now() - began} ms)`);
          },
          (err: unknown) => {
            restarting.delete(name);
            if (!o.stopping())
              o.stop(
                1,
                `${name} could not be started again: ${err instanceof Error ? err.message : String(err)}. ${lastLines(name)}`,
              );
          },
        );
      }, wait);
    },
  };
}
