/**
 * The emulator benchmark's workload, one copy for every emulator measured: our emulator (local/tasks-emulator/bench.ts)
 * and the Firebase tasks emulator (bench/firebase-tasks.ts). A no-op target in this process notes each arrival; the
 * driver measures dispatch throughput over 1..n queues, how close a 50/s queue stays to 50/s after its burst, and how
 * late tasks fire against their scheduleTime.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the workload needs of an emulator. */
export type BenchEmulator = {
  /** Creates queue `id` at `rate` dispatches/s (1,000 at once) and returns the name the other calls take. */
  queue(id: string, rate: number): Promise<string>;
  /** Creates one task for `url`, scheduled at `scheduleTime` (RFC 3339) when given. */
  createTask(queue: string, url: string, scheduleTime?: string): Promise<void>;
  /**
   * Hold and release a queue's dispatches. Without them, tasks are created with the queue running and the clock
   * starts before the first create.
   */
  pause?: (queue: string) => Promise<void>;
  resume?: (queue: string) => Promise<void>;
  /** The scheduled time (ms since the epoch) in this emulator's `X-CloudTasks-TaskETA` header. */
  etaMs(header: string): number;
};

/** `queues`: the queue counts the throughput is measured over; `tasks` per count; `rateTasks` on the 50/s queue. */
export type WorkloadSize = { queues: number[]; tasks: number; rateTasks: number };

/** JSON calls over one keep-alive agent: resolves the parsed body of a 200, rejects with the body otherwise. */
export function jsonClient(base: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const call = (method: string, path: string, body?: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? '' : JSON.stringify(body);
      const req = http.request(
        `${base}${path}`,
        { method, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(JSON.parse(text))
              : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  return { call, close: () => agent.destroy() };
}

/** `--name=value` from the command line, or `fallback`. */
export const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

/** The size given by `--queues=1,4 --tasks=N --rate-tasks=N` (defaults: 8 queues, 10,000 tasks, 500 at 50/s). */
export const workloadSize = (): WorkloadSize => ({
  queues: arg('queues', '8').split(',').map(Number),
  tasks: Number(arg('tasks', '10000')),
  rateTasks: Number(arg('rate-tasks', '500')),
});

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const until = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 2));
};

/** Runs the three measures against `emu`; the target runs in this process for the call's duration. */
export async function runWorkload(emu: BenchEmulator, size: WorkloadSize) {
  const arrivals: { at: number; eta: string }[] = [];
  const target = http.createServer((req, res) => {
    arrivals.push({ at: Date.now(), eta: String(req.headers['x-cloudtasks-tasketa']) });
    req.resume();
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
  const createMany = async (q: string, n: number, scheduleTime?: (i: number) => string): Promise<void> => {
    for (let i = 0; i < n; i += 64)
      await Promise.all(
        Array.from({ length: Math.min(64, n - i) }, (_, j) => emu.createTask(q, url, scheduleTime?.(i + j))),
      );
  };
  // Tasks created while paused, then released together; without pause, timed from the first create. `createMs`: the creates' own time.
  const release = async (queues: string[], per: number): Promise<{ t0: number; createMs: number }> => {
    if (emu.pause && emu.resume) {
      const c0 = Date.now();
      for (const q of queues) await emu.pause(q).then(() => createMany(q, per));
      const createMs = Date.now() - c0;
      arrivals.length = 0;
      const t0 = Date.now();
      await Promise.all(queues.map((q) => emu.resume!(q)));
      return { t0, createMs };
    }
    // A bucket that starts empty and fills once a second (Firebase's) is full by then, as a long-registered queue's is.
    await new Promise((r) => setTimeout(r, 1100));
    arrivals.length = 0;
    const t0 = Date.now();
    await Promise.all(queues.map((q) => createMany(q, per)));
    return { t0, createMs: Date.now() - t0 };
  };
  try {
    // 1. Throughput: for each count of queues, queues at the 500/s maximum, `tasks` tasks spread over them.
    const throughput: Record<string, number> = {};
    const createsPerSecond: Record<string, number> = {};
    for (const count of size.queues) {
      const queues = await Promise.all(Array.from({ length: count }, (_, i) => emu.queue(`tp${count}-${i}`, 500)));
      const per = Math.ceil(size.tasks / count);
      const { t0, createMs } = await release(queues, per);
      await until(() => arrivals.length >= per * queues.length);
      const key = `${count} queue${count > 1 ? 's' : ''}`;
      throughput[key] = Math.round((per * queues.length) / ((Date.now() - t0) / 1000));
      createsPerSecond[key] = Math.round((per * queues.length) / (createMs / 1000));
    }

    // 2. Rate accuracy: one queue at 50/s; the long-run rate after the initial burst of 50 (the tasks after it over
    // the time from the first arrival to the last: right for a smooth dispatcher and for one that sends a burst a second).
    const rq = await emu.queue('rate50', 50);
    await release([rq], size.rateTasks);
    await until(() => arrivals.length >= size.rateTasks);
    const times = arrivals.map((a) => a.at);
    const steady = (times.length - 50) / ((times.at(-1)! - times[0]!) / 1000);
    // Burstiness after the initial burst: the most arrivals within any 100 ms (5 for a smooth 50/s).
    let maxIn100Ms = 0;
    for (let i = 50, j = 50; i < times.length; i++) {
      while (times[i]! - times[j]! >= 100) j++;
      maxIn100Ms = Math.max(maxIn100Ms, i - j + 1);
    }

    // 3. Lateness: 1,000 tasks scheduled over 4 s from 1.5 s ahead, on a 500/s queue.
    const lq = await emu.queue('late', 500);
    const start = Date.now() + 1500;
    // Cleared before creating: on a loaded machine the first tasks fall due (and arrive) while the last are created.
    arrivals.length = 0;
    await createMany(lq, 1000, (i) => new Date(start + i * 4).toISOString());
    await until(() => arrivals.length >= 1000);
    const late = arrivals.map((a) => a.at - emu.etaMs(a.eta));
    if (process.env.BENCH_DEBUG)
      console.error({
        worst: arrivals
          .map((a, i) => [i, a.at - start, late[i]!])
          .filter((x) => x[2]! > 20)
          .slice(0, 20),
      });
    return {
      throughputPerSecond: throughput,
      createsPerSecond,
      rate50: {
        measuredPerSecond: Number(steady.toFixed(2)),
        errorPercent: Number((((steady - 50) / 50) * 100).toFixed(2)),
        maxIn100Ms,
      },
      latenessMs: { p50: pct(late, 50), p99: pct(late, 99), max: Math.max(...late), min: Math.min(...late) },
    };
  } finally {
    target.close();
  }
}
