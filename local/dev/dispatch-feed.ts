/**
 * Shows every Cloud Tasks dispatch attempt in the log stream (`tasks │ notifications …/tasks/1a2b attempt 1 → 204
 * succeeded`), read from the emulator's dispatch log (`GET /_emulator/dispatches?since=<seq>`).
 */
import type { DispatchRecord } from '../tasks-emulator/dispatch-log.ts';
import type { LogStream } from './log.ts';

/**
 * Reads the attempts added to the emulator's dispatch log since the last read (optionally of one queue). It follows
 * a restarted emulator, whose new log counts from 1 again. Throws while the emulator does not answer.
 */
export function dispatchReader(emulatorUrl: string, queue?: string): () => Promise<DispatchRecord[]> {
  let since = 0;
  // After a failed read the emulator may have been restarted: read its log whole once.
  let unsure = false;
  return async () => {
    try {
      const res = await fetch(
        `${emulatorUrl}/_emulator/dispatches?since=${unsure ? 0 : since}${queue ? `&queue=${queue}` : ''}`,
        { signal: AbortSignal.timeout(5000) },
      );
      if (!res.ok) throw new Error(`the dispatch log answered ${res.status}`);
      let { dispatches } = (await res.json()) as { dispatches: DispatchRecord[] };
      if (unsure) {
        // The same emulator still has the last attempt read; a new one has a shorter log (or other attempts there).
        if (!dispatches.some((d) => d.seq === since && d.seq > 0)) since = 0;
        dispatches = dispatches.filter((d) => d.seq > since);
        unsure = false;
      }
      for (const d of dispatches) since = Math.max(since, d.seq);
      return dispatches;
    } catch (err) {
      unsure = true;
      throw err;
    }
  };
}

export function followDispatches(emulatorUrl: string, log: LogStream, intervalMs = 300): { stop(): void } {
  const read = dispatchReader(emulatorUrl);
  let stopped = false;
  const tick = async (): Promise<void> => {
    try {
      for (const d of await read()) {
        const queue = d.queue.split('/').pop();
        const task = d.task.split('/').pop()!.slice(0, 12);
        const answer =
          d.status !== undefined ? String(d.status) : d.timedOut ? 'deadline exceeded' : (d.error ?? 'no answer');
        const next =
          d.outcome === 'retrying' && d.nextScheduleTime
            ? `, next attempt at ${d.nextScheduleTime.slice(11, 19)}Z`
            : '';
        log.line(
          'tasks',
          `${queue} …/tasks/${task} attempt ${d.attempt} → ${answer} ${d.outcome} (${Math.round(d.latencyMs)} ms${next})`,
        );
      }
    } catch {
      // the emulator is starting, stopping or restarting: the runner reports that
    }
  };
  const loop = async (): Promise<void> => {
    while (!stopped) {
      await tick();
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  };
  void loop();
  return { stop: () => void (stopped = true) };
}
