/**
 * Chaos for a burst: SIGKILL of storefront-webhook, send-notification or the Cloud Tasks emulator at random moments
 * (every 15-35 s, a part killed at most 3 times a minute so the runner never gives up on it), and mail-sink faults on
 * a share of the sends: 503, 429 with X-RateLimit-Reset, or an answer slowed by 2 s (still well inside the functions'
 * SendGrid timeout, so a slow answer is not sent twice).
 */
import { mulberry32 } from '../../shared/seeded-random.ts';
import type { StackInfo } from '../../local/stack-file.ts';

export interface Kill {
  /** Epoch ms. */
  at: number;
  part: string;
  pid: number;
}

export const CHAOS_PARTS = ['storefront-webhook', 'send-notification', 'tasks'] as const;

const pidOf = (s: StackInfo, part: string): number => (part === 'tasks' ? s.tasksEmulator.pid : s.functions[part]!.pid);

/** Turns the sink's random faults on (again after it restarted): `rate` of the sends fail. */
export async function sinkFaults(info: StackInfo, rate: number, seed: number): Promise<void> {
  const res = await fetch(`${info.mailSink.url}/_sink/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rate, seed, kinds: [503, 429, 'delay'], delayMs: 2000 }),
  });
  if (!res.ok) throw new Error(`The mail sink refused the faults: ${res.status} ${await res.text()}`);
}

export function startKilling(readInfo: () => StackInfo | undefined, seed: number): { kills: Kill[]; stop(): void } {
  const rand = mulberry32(seed);
  const kills: Kill[] = [];
  let timer: NodeJS.Timeout | undefined;
  const next = (): void => {
    timer = setTimeout(
      () => {
        const info = readInfo();
        const now = Date.now();
        const allowed = CHAOS_PARTS.filter((p) => kills.filter((k) => k.part === p && now - k.at < 60_000).length < 3);
        const part = allowed[Math.floor(rand() * allowed.length)];
        if (info && part) {
          const pid = pidOf(info, part);
          try {
            process.kill(-pid, 'SIGKILL');
            kills.push({ at: now, part, pid });
          } catch {
            // it is being restarted: its new pid is not in stack.json yet
          }
        }
        next();
      },
      15_000 + rand() * 20_000,
    );
  };
  next();
  return { kills, stop: () => clearTimeout(timer) };
}
