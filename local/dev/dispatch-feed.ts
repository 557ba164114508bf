/**
 * Shows every Cloud Tasks dispatch attempt in the log stream (`tasks │ notifications …/tasks/1a2b attempt 1 → 204
 * succeeded`), read from the emulator's dispatch log (`GET /_emulator/dispatches?since=<seq>`).
 */
import type { DispatchRecord } from '../tasks-emulator/dispatch-log.ts';
import type { LogStream } from './log.ts';


export function followDispatches(emulatorUrl: string, log: LogStream, intervalMs = 300): { stop(): void } {
  let since = 0;
  let stopped = false;
  // After a failed read the emulator may have been restarted, with a new log counting from 1: read it whole once.
  let unsure = false;
  const tick = async (): Promise<void> => {
    try {
      const res = await fetch(`${emulatorUrl}/_emulator/dispatches?since=${unsure ? 0 : since}`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) return;
      let { dispatches } = (await res.json()) as { dispatches: DispatchRecord[] };
      if (unsure) {
        // The same emulator still has the last attempt shown; a new one has a shorter log (or other attempts there).
        if (!dispatches.some((d) => d.seq === since && d.seq > 0)) since = 0;
        dispatches = dispatches.filter((d) => d.seq > since);
        unsure = false;
      }
      for (const d of dispatches) {
        since = Math.max(since, d.seq);
        const queue = d.queue.split('/').pop();
        const task = d.task.split('/').pop()!.slice(0, 12);
        const answer = d.status !== undefined ? String(d.status) : d.timedOut ? 'deadline exceeded' : (d.error ?? 'no answer');
        const next = d.outcome === 'retrying' && d.nextScheduleTime ? `, next attempt at ${d.nextScheduleTime.slice(11, 19)}Z` : '';
        log.line('tasks', `${queue} …/tasks/${task} attempt ${d.attempt} → ${answer} ${d.outcome} (${Math.round(d.latencyMs)} ms${next})`);
      }
    } catch {
      // the emulator is starting, stopping or restarting: the runner reports that
      unsure = true;
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
