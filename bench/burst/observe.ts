/**
 * What a burst is watched with while it runs: each part's memory (RSS summed over its process group, read from
 * /proc every second, following the pids of stack.json across restarts) and every dispatch of the notifications
 * queue (from the emulator's dispatch log, also across emulator restarts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dispatchReader } from '../../local/dev/dispatch-feed.ts';
import type { StackInfo } from '../../local/stack-file.ts';

export interface RssSample {
  /** Epoch ms. */
  at: number;
  part: string;
  kib: number;
}

/** The process group of each part (the runner: its own process). */
export function partGroups(s: StackInfo): Record<string, number> {
  const groups: Record<string, number> = {
    firestore: s.firestore.pid,
    tasks: s.tasksEmulator.pid,
    mail: s.mailSink.pid,
  };
  for (const [name, f] of Object.entries(s.functions)) groups[name] = f.pid;
  return groups;
}

/** RSS in KiB of every process, by process group. */
function rssByGroup(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pgrp = Number(fields[2]);
      const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1] ?? 0);
      out.set(pgrp, (out.get(pgrp) ?? 0) + kib);
      if (Number(entry) === pgrp) continue;
      out.set(-Number(entry), kib); // a process on its own (the runner)
    } catch {
      // it exited meanwhile
    }
  }
  return out;
}

export function sampleRss(
  readInfo: () => StackInfo | undefined,
  intervalMs = 1000,
): { samples: RssSample[]; stop(): void } {
  const samples: RssSample[] = [];
  const tick = (): void => {
    const info = readInfo();
    if (!info) return;
    const rss = rssByGroup();
    const at = Date.now();
    for (const [part, pgid] of Object.entries(partGroups(info)))
      if (rss.has(pgid)) samples.push({ at, part, kib: rss.get(pgid)! });
    const runner = rss.get(-info.runner.pid) ?? rss.get(info.runner.pid);
    if (runner !== undefined) samples.push({ at, part: 'dev runner', kib: runner });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return { samples, stop: () => clearInterval(timer) };
}

/** Collects the dispatch times (epoch ms) of one queue's attempts, across emulator restarts. */
export function collectDispatches(
  emulatorUrl: string,
  queue: string,
  intervalMs = 1000,
): { times: number[]; stop(): Promise<void> } {
  const times: number[] = [];
  const read = dispatchReader(emulatorUrl, queue);
  let stopped = false;
  const tick = async (): Promise<void> => {
    for (const d of await read().catch(() => [])) times.push(Date.parse(d.dispatchTime));
  };
  const loop = (async () => {
    while (!stopped) {
      await tick();
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    await tick();
  })();
  return { times, stop: async () => void ((stopped = true), await loop) };
}
