/**
 * Task-target overhead: the time send-notification spends on a task before it calls SendGrid (token check with the
 * JWKS already cached, payload validation, delivery claim in Firestore, rendering), measured from the request leaving
 * the bench to the SendGrid request arriving at the proxy in front of the mail sink. One request at a time on one
 * warm instance (bundle from its deploy folder); real tasks with emulator-signed tokens (bench/requests.ts).
 */
import { freePort, waitForHttp } from '../test/support/net.ts';
import { postTask } from './requests.ts';
import { pct, round, spawnFunction, stop, type BenchStack, type CapturedTask, type Variant } from './stack.ts';

export interface OverheadRow {
  contender: string;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  totalP50Ms: number;
}

export async function taskOverhead(
  stack: BenchStack,
  contenders: { label: string; variant: Variant }[],
  tasks: CapturedTask[],
  warmup: number,
): Promise<OverheadRow[]> {
  const running = [];
  try {
    for (const c of contenders) {
      const port = await freePort();
      const child = spawnFunction(c.variant, 'send-notification', port, stack.env('send-notification'));
      running.push({ ...c, child, url: `http://127.0.0.1:${port}/`, before: [] as number[], total: [] as number[] });
      await waitForHttp(`http://127.0.0.1:${port}/`, 60_000, () => child.exitCode !== null);
    }
    let i = 0;
    for (const task of tasks) {
      const c = running[i++ % running.length]!; // alternate between the contenders, task by task
      const arrivals = stack.mailArrivals.length;
      const t = performance.now();
      const status = await postTask(c.url, task);
      const total = performance.now() - t;
      if (status < 200 || status > 299) throw new Error(`send-notification answered ${status}`);
      if (stack.mailArrivals.length !== arrivals + 1)
        throw new Error('send-notification did not call SendGrid exactly once');
      if (i > warmup * running.length) {
        c.before.push(stack.mailArrivals.at(-1)! - t);
        c.total.push(total);
      }
    }
    return running.map((c) => ({
      contender: c.label,
      requests: c.before.length,
      p50Ms: round(pct(c.before, 50), 1),
      p99Ms: round(pct(c.before, 99), 1),
      totalP50Ms: round(pct(c.total, 50), 1),
    }));
  } finally {
    for (const c of running) await stop(c.child);
  }
}
