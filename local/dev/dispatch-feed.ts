/**
 * Shows every Cloud Tasks dispatch attempt in the log stream (`tasks │ notifications …/tasks/1a2b attempt 1 → 204
 * succeeded`), read from the emulator's dispatch log (`GET /_emulator/dispatches?since=<seq>`).
 */
import type { DispatchRecord } from '../tasks-emulator/dispatch-log.ts';
import type { LogStream } from './log.ts';


export function followDispatches(emulatorUrl: string, log: LogStream, intervalMs = 300): { stop(): void } {
  let since = 0;
  let stopped = false;
  const tick = async (): Promise<void> => {
    try {
      const res = await fetch(`${emulatorUrl}/_emulator/dispatches?since=${since}`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) return;
      const { dispatches } = (await res.json()) as { dispatches: DispatchRecord[] };
      for (const d of dispatches) {
        since = Math.max(since, d.seq);
        const queue = d.queue.split('/').pop();
        const task = d.task.split('/').pop()!.slice(0, 12);
        const answer = d.status !== undefined ? String(d.status) : d.timedOut ? 'deadline exceeded' : (d.error ?? 'no answer');
        const next = d.outcome === 'retrying' && d.nextScheduleTime ? `, next attempt at ${d.nextScheduleTime.slice(11, 19)}Z` : '';
        log.line('tasks', `${queue} …/tasks/${task} attempt ${d.attempt} → ${answer} ${d.outcome} (${Math.round(d.latencyMs)} ms${next})`);
      }
    } catch {
      // the emulator is starting or stopping: the runner reports that
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
