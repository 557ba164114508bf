/**
 * Where a function's first real request spends its time: each bundle started from its deploy folder with
 * bench/first-request-probe.cjs preloaded, polled until ready, sent its real request; the probe's steps (on the
 * process's own clock, 0 = process start) are collected, and each step's median start and duration over the runs is
 * reported. Opt-in section (`npm run bench -- breakdown`): the probe itself costs a little, so these runs are not the
 * cold-start figures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/net.ts';
import type { RealRequest } from './requests.ts';
import { median, round, spawnFunction, stop, waitReady, type Variant } from './stack.ts';

const PROBE = join(import.meta.dirname, 'first-request-probe.cjs');

export interface BreakdownStep {
  step: string;
  /** Median start, ms after the process started. */
  startMs: number;
  /** Median duration. */
  ms: number;
}

interface Mark {
  step: string;
  start: number;
  ms: number;
}

async function run(variant: Variant, name: string, env: Record<string, string>, real: RealRequest): Promise<Mark[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-probe-'));
  const file = join(dir, 'marks.jsonl');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = spawnFunction(variant, name, port, { ...env, PROBE_OUT: file }, `--require=${PROBE}`);
  try {
    await waitReady(url, child, name);
    const status = await real(url);
    if (status < 200 || status > 299) throw new Error(`${name}: the real request was answered ${status}`);
    return JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!) as Mark[];
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `runs` probed cold starts of each function; steps that repeat are numbered (`#2`), ordered by median start. */
export async function breakdown(
  functions: { name: string; variant: Variant; env: Record<string, string>; real: RealRequest }[],
  runs: number,
): Promise<{ function: string; steps: BreakdownStep[] }[]> {
  const result = [];
  for (const f of functions) {
    const byStep = new Map<string, Mark[]>();
    for (let i = 0; i < runs; i++) {
      const seen = new Map<string, number>();
      for (const m of await run(f.variant, f.name, f.env, f.real)) {
        // Keep ids out of the step names (order ids, task names) so runs line up.
        const base = m.step.replace(/\/(documents|tasks)\/.*$/, '/$1/…').replace(/:\d+\//, ':…/');
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        const key = n > 1 ? `${base} #${n}` : base;
        byStep.set(key, [...(byStep.get(key) ?? []), m]);
      }
    }
    const steps = [...byStep].map(([step, ms]) => ({
      step,
      startMs: round(median(ms.map((m) => m.start))),
      ms: round(median(ms.map((m) => m.ms))),
    }));
    result.push({ function: f.name, steps: steps.sort((a, b) => a.startMs - b.startMs) });
  }
  return result;
}
