/**
 * storefront-webhook under load on one instance: the bundle from its own deploy folder, against the Firestore
 * emulator and our Cloud Tasks emulator (its notifications queue paused, purged after). Signed order.created events at
 * concurrency 1, 8 and 32 (each after a warm-up): requests per second, p50, p99 and max, and the CPU time the
 * function's own process spent per request (from /proc, so the emulators' share on the same cores is told apart).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { freePort, waitForHttp } from '../test/support/net.ts';
import { postOrder } from './requests.ts';
import { pct, round, spawnFunction, stop, type BenchStack, type Variant } from './stack.ts';

export interface LatencyRow {
  contender: string;
  concurrency: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time (user + system) of the function's process per request; undefined without /proc. */
  cpuMsPerRequest?: number;
  /** The same for the Firestore emulator (its JVM), which shares the cores here and is Google's in production. */
  firestoreCpuMsPerRequest?: number;
}

/** A process's /proc/<pid>/stat fields after the command name (state is [0], pgrp [2], utime [11], stime [12]). */
function statOf(pid: number | string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return undefined;
  }
}
/** CPU time of a process so far, in ms (Linux: utime + stime, in 10 ms ticks). */
function cpuMs(pid: number | undefined): number | undefined {
  const f = pid === undefined ? undefined : statOf(pid);
  return f && (Number(f[11]) + Number(f[12])) * 10;
}
/** CPU time of every process of a group (the Firestore emulator: gcloud and its JVM), in ms. */
function groupCpuMs(pgid: number | undefined): number | undefined {
  if (pgid === undefined || !existsSync('/proc')) return undefined;
  let ms = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const f = statOf(pid);
    if (f && Number(f[2]) === pgid) ms += (Number(f[11]) + Number(f[12])) * 10;
  }
  return ms;
}

/** One phase: `n` requests, `concurrency` at a time. */
async function phase(
  url: string,
  pid: number | undefined,
  firestorePgid: number | undefined,
  concurrency: number,
  n: number,
): Promise<Omit<LatencyRow, 'contender'>> {
  const times: number[] = [];
  const cpuBefore = cpuMs(pid);
  const firestoreBefore = groupCpuMs(firestorePgid);
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < n) {
        issued++;
        const t = performance.now();
        const status = await postOrder(url);
        if (status !== 202) throw new Error(`storefront-webhook answered ${status}`);
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuMs(pid);
  const firestoreAfter = groupCpuMs(firestorePgid);
  const cpu = {
    ...(cpuBefore === undefined || cpuAfter === undefined
      ? {}
      : { cpuMsPerRequest: round((cpuAfter - cpuBefore) / n, 2) }),
    ...(firestoreBefore === undefined || firestoreAfter === undefined
      ? {}
      : { firestoreCpuMsPerRequest: round((firestoreAfter - firestoreBefore) / n, 2) }),
  };
  return {
    concurrency,
    requests: n,
    rps: round(n / seconds, 1),
    p50Ms: round(pct(times, 50), 1),
    p99Ms: round(pct(times, 99), 1),
    maxMs: round(pct(times, 100), 1),
    ...cpu,
  };
}

/**
 * Each contender (e.g. this build and main's) gets its own instance; the phases alternate between them
 * (`rounds` times each), and the row per contender and concurrency is the one with the median rps.
 */
export async function webhookLatency(
  stack: BenchStack,
  contenders: { label: string; variant: Variant }[],
  n: number,
  rounds: number,
): Promise<LatencyRow[]> {
  const running = [];
  // Tasks wait in the paused queue: their dispatches would compete with the instances for the CPU.
  const queue = `${stack.emulator.url}/v2/${stack.emulator.queuePath('notifications')}`;
  await fetch(`${queue}:pause`, { method: 'POST' });
  try {
    for (const c of contenders) {
      const port = await freePort();
      const child = spawnFunction(c.variant, 'storefront-webhook', port, stack.env('storefront-webhook'));
      running.push({ ...c, child, url: `http://127.0.0.1:${port}/` });
      await waitForHttp(`http://127.0.0.1:${port}/`, 60_000, () => child.exitCode !== null);
      for (let i = 0; i < 30; i++) await postOrder(`http://127.0.0.1:${port}/`); // warm up: connections, JIT, channels
    }
    const rows: LatencyRow[] = [];
    for (const concurrency of [1, 8, 32]) {
      const results = new Map<string, Omit<LatencyRow, 'contender'>[]>();
      for (let r = 0; r < rounds; r++) {
        for (const c of r % 2 ? [...running].reverse() : running) {
          const list = results.get(c.label) ?? [];
          list.push(await phase(c.url, c.child.pid, stack.firestore.pgid, concurrency, n));
          results.set(c.label, list);
        }
      }
      for (const c of running) {
        const list = results.get(c.label)!.sort((a, b) => a.rps - b.rps);
        rows.push({ contender: c.label, ...list[Math.floor(list.length / 2)]! });
      }
    }
    return rows;
  } finally {
    for (const c of running) await stop(c.child);
    await fetch(`${queue}:purge`, { method: 'POST' });
    await fetch(`${queue}:resume`, { method: 'POST' });
  }
}
