/**
 * Measures the emulator: dispatch throughput to a local no-op target, how close a 50/s queue stays to 50/s, and how
 * late tasks fire against their scheduleTime. Run: `node local/tasks-emulator/bench.ts [--state] [--queues=1,4] [--tasks=N] [--rate-tasks=N]` (the emulator runs
 * as a child process, the target and the driver in this one).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const withState = process.argv.includes('--state');
const arrivals: { at: number; queue: string; eta: number }[] = [];
const target = http.createServer((req, res) => {
  arrivals.push({ at: Date.now(), queue: String(req.headers['x-cloudtasks-queuename']), eta: Number(req.headers['x-cloudtasks-tasketa']) * 1000 });
  req.resume();
  res.writeHead(204).end();
});
await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
const dir = withState ? mkdtempSync(join(tmpdir(), 'tasks-bench-')) : undefined;

const t0 = performance.now();
const child = spawn(process.execPath, ['local/tasks-emulator/main.ts', '--port', '0', ...(dir ? ['--state', dir] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
const startMs = performance.now() - t0;
const base = JSON.parse(first.value as string).url as string;
const loc = 'projects/bench/locations/us-central1';
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const call = (method: string, path: string, body?: unknown): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const data = body === undefined ? '' : JSON.stringify(body);
    const req = http.request(`${base}${path}`, { method, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(text))));
    });
    req.on('error', reject);
    req.end(data);
  });
const queue = async (id: string, rate: number): Promise<string> => {
  await call('POST', `/v2/${loc}/queues`, { name: `${loc}/queues/${id}`, rateLimits: { maxDispatchesPerSecond: rate, maxConcurrentDispatches: 1000 } });
  return `${loc}/queues/${id}`;
};
const createMany = async (q: string, n: number, scheduleTime?: (i: number) => string): Promise<void> => {
  for (let i = 0; i < n; i += 64) {
    await Promise.all(Array.from({ length: Math.min(64, n - i) }, (_, j) => call('POST', `/v2/${q}/tasks`, { task: { ...(scheduleTime ? { scheduleTime: scheduleTime(i + j) } : {}), httpRequest: { url: targetUrl } } })));
  }
};
const until = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((r) => setTimeout(r, 2));
};
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

// 1. Throughput: for each count of queues (`--queues=1,4`, default 8), queues at the 500/s maximum, `--tasks` tasks
// (default 10,000) created while paused, then resumed together.
const arg = (name: string, fallback: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const total = Number(arg('tasks', '10000'));
const throughput: Record<string, number> = {};
for (const count of arg('queues', '8').split(',').map(Number)) {
  const queues = await Promise.all(Array.from({ length: count }, (_, i) => queue(`tp${count}-${i}`, 500)));
  const per = Math.ceil(total / count);
  for (const q of queues) {
    await call('POST', `/v2/${q}:pause`, {});
    await createMany(q, per);
  }
  arrivals.length = 0;
  const tp0 = Date.now();
  await Promise.all(queues.map((q) => call('POST', `/v2/${q}:resume`, {})));
  await until(() => arrivals.length >= per * queues.length);
  throughput[`${count} queue${count > 1 ? 's' : ''}`] = Math.round((per * queues.length) / ((Date.now() - tp0) / 1000));
}

// 2. Rate accuracy: one queue at 50/s, `--rate-tasks` tasks (default 500); the steady rate after the initial burst of 50.
const rateTasks = Number(arg('rate-tasks', '500'));
const rq = await queue('rate50', 50);
await call('POST', `/v2/${rq}:pause`, {});
await createMany(rq, rateTasks);
arrivals.length = 0;
await call('POST', `/v2/${rq}:resume`, {});
await until(() => arrivals.length >= rateTasks);
const times = arrivals.map((a) => a.at);
const steady = (times.length - 1 - 50) / ((times.at(-1)! - times[50]!) / 1000);

// 3. Lateness: 1,000 tasks scheduled over 4 s from 1 s ahead, on a 500/s queue.
const lq = await queue('late', 500);
const start = Date.now() + 1500;
// Cleared before creating: on a loaded machine the first tasks fall due (and arrive) while the last are created.
arrivals.length = 0;
await createMany(lq, 1000, (i) => new Date(start + i * 4).toISOString());
const createdBy = Date.now() - start;
await until(() => arrivals.length >= 1000);
const late = arrivals.map((a) => a.at - a.eta);
if (process.env.BENCH_DEBUG) console.error({ createdBy, worst: arrivals.map((a, i) => [i, a.at - start, a.at - a.eta]).filter((x) => x[2]! > 20).slice(0, 20) });

console.log(JSON.stringify({
  state: withState ? 'journaled to disk' : 'in memory',
  startMs: Math.round(startMs),
  throughputPerSecond: throughput,
  rate50: { measuredPerSecond: Number(steady.toFixed(2)), errorPercent: Number((((steady - 50) / 50) * 100).toFixed(2)) },
  latenessMs: { p50: pct(late, 50), p99: pct(late, 99), max: Math.max(...late) },
}));
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
agent.destroy();
target.close();
if (dir) rmSync(dir, { recursive: true, force: true });
