/**
 * Measures the emulator: dispatch throughput to a local no-op target, how close a 50/s queue stays to 50/s, and how
 * late tasks fire against their scheduleTime (the workload: bench-workload.ts). Run: `node local/tasks-emulator/bench.ts
 * [--state] [--queues=1,4] [--tasks=N] [--rate-tasks=N]` (the emulator runs as a child process, the target and the
 * driver in this one).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { jsonClient, runWorkload, workloadSize, type BenchEmulator } from './bench-workload.ts';

const withState = process.argv.includes('--state');
const dir = withState ? mkdtempSync(join(tmpdir(), 'tasks-bench-')) : undefined;

const t0 = performance.now();
const child = spawn(
  process.execPath,
  ['local/tasks-emulator/main.ts', '--port', '0', ...(dir ? ['--state', dir] : [])],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
const startMs = performance.now() - t0;
const { call, close } = jsonClient(JSON.parse(first.value as string).url as string);
const loc = 'projects/bench/locations/us-central1';
const ours: BenchEmulator = {
  queue: async (id, rate) => {
    await call('POST', `/v2/${loc}/queues`, {
      name: `${loc}/queues/${id}`,
      rateLimits: { maxDispatchesPerSecond: rate, maxConcurrentDispatches: 1000 },
    });
    return `${loc}/queues/${id}`;
  },
  createTask: async (q, url, scheduleTime) => {
    await call('POST', `/v2/${q}/tasks`, { task: { ...(scheduleTime ? { scheduleTime } : {}), httpRequest: { url } } });
  },
  pause: async (q) => void (await call('POST', `/v2/${q}:pause`, {})),
  resume: async (q) => void (await call('POST', `/v2/${q}:resume`, {})),
  // Seconds since the epoch (target-request.ts).
  etaMs: (header) => Number(header) * 1000,
};
try {
  const result = await runWorkload(ours, workloadSize());
  console.log(
    JSON.stringify({ state: withState ? 'journaled to disk' : 'in memory', startMs: Math.round(startMs), ...result }),
  );
} finally {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
