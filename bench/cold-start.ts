/**
 * Cold start of each function, as Cloud Run runs it (functions-framework, NODE_ENV=production), from process spawn:
 * - ready: the first HTTP answer of any kind (a GET, polled every 5 ms);
 * - first real request: the function's real request (bench/requests.ts) sent right after, answered 2xx with the
 *   emulators behind it, and the resident memory (RSS) after it.
 * Contenders run alternately in the same rounds: the functions-framework hello-world floor, the bundle from its own
 * deploy folder (`npm ci --omit=dev`), its TypeScript run unbundled from the repo, and any extra bundle folders given
 * (e.g. a build of main, for before/after). Ratios are medians over the floor's median of the same rounds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/net.ts';
import type { RealRequest } from './requests.ts';
import { median, pct, round, spawnFunction, stop, waitReady, type Variant } from './stack.ts';

/** Resident memory of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return round(kb / 1024, 1);
}

/** A functions-framework hello-world folder with only functions-framework installed: the floor. */
export function stageFloor(ffVersion: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'floor',
      private: true,
      main: 'index.js',
      dependencies: { '@google-cloud/functions-framework': ffVersion },
    }),
  );
  writeFileSync(
    join(dir, 'index.js'),
    "require('@google-cloud/functions-framework').http('hello', (req, res) => res.send('hello'));\n",
  );
  execFileSync('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    stdio: 'pipe',
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Contender {
  label: string;
  variant: Variant;
  env: Record<string, string>;
  /** Sent after ready; without it only ready is measured. */
  real?: RealRequest | undefined;
}

interface Sample {
  ready: number;
  first?: number;
  rss: number;
}

async function once(c: Contender, name: string): Promise<Sample> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const started = performance.now();
  const child = spawnFunction(c.variant, name, port, c.env);
  try {
    await waitReady(url, child, `${c.label} ${name}`);
    const ready = performance.now() - started;
    if (!c.real) return { ready, rss: rssMiB(child.pid!) };
    const status = await c.real(url);
    if (status < 200 || status > 299) throw new Error(`${c.label} ${name}: the real request was answered ${status}`);
    return { ready, first: performance.now() - started, rss: rssMiB(child.pid!) };
  } finally {
    await stop(child);
  }
}

export interface ColdStartRow {
  function: string;
  contender: string;
  runs: number;
  readyMs: { median: number; min: number; max: number };
  readyRatio: number;
  firstRequestMs?: { median: number; min: number; max: number };
  firstRequestRatio?: number;
  rssMiB: number;
}

const stats = (xs: number[]) => ({ median: round(median(xs)), min: round(pct(xs, 0)), max: round(pct(xs, 100)) });

/**
 * Runs `floor` and each function's contenders alternately, `runs` rounds (after one unmeasured round that warms
 * the file cache, as a deployed image has it on local disk, unless `warmup` is false). The floor is measured in every round of every function.
 */
export async function coldStart(
  functions: { name: string; contenders: Contender[] }[],
  floor: Contender,
  runs: number,
  warmup = true,
): Promise<ColdStartRow[]> {
  const rows: ColdStartRow[] = [];
  for (const { name, contenders } of functions) {
    const all = [floor, ...contenders];
    const samples = new Map<string, Sample[]>(all.map((c) => [c.label, []]));
    for (let round = warmup ? -1 : 0; round < runs; round++) {
      // Rotate the order each round so no contender always runs right after another's teardown.
      const order = all.map((_, i) => all[(i + Math.max(round, 0)) % all.length]!);
      for (const c of order) {
        const s = await once(c, name);
        if (round >= 0) samples.get(c.label)!.push(s);
      }
    }
    const floorReady = median(samples.get(floor.label)!.map((s) => s.ready));
    for (const c of all) {
      const xs = samples.get(c.label)!;
      const firsts = xs.flatMap((s) => (s.first === undefined ? [] : [s.first]));
      rows.push({
        function: c === floor ? `(floor, with ${name})` : name,
        contender: c.label,
        runs,
        readyMs: stats(xs.map((s) => s.ready)),
        readyRatio: round(median(xs.map((s) => s.ready)) / floorReady, 2),
        ...(firsts.length
          ? { firstRequestMs: stats(firsts), firstRequestRatio: round(median(firsts) / floorReady, 2) }
          : {}),
        rssMiB: median(xs.map((s) => s.rss)),
      });
    }
  }
  return rows;
}
