/**
 * Follows the emulator's dispatch log (`GET /_emulator/dispatches?since=<seq>`) and keeps the latest attempts for
 * the Attempts view and the per-queue dispatch rates of the last minute (on the emulator's clock).
 */
import type { DispatchRecord } from '../tasks-emulator/dispatch-log.ts';
import type { TasksApi } from './upstream.ts';

/** One attempt as the emulator's control API records it, with the queue's short id. */
export type Attempt = DispatchRecord;

const short = (name: string): string => name.split('/').pop() ?? name;
const seconds = (duration: string | undefined): number => Number(String(duration ?? '0s').replace(/s$/, '')) || 0;

export interface AttemptFeed {
  /** Newest first, at most `limit`, after `since` (a seq), filtered by short queue id and outcome. */
  list(f: {
    queue?: string | undefined;
    outcome?: string | undefined;
    since?: number | undefined;
    limit?: number | undefined;
  }): Attempt[];
  /** Queue id → dispatches in each of the last 60 seconds (oldest first), on the emulator clock. */
  perSecond(): Record<string, number[]>;
  /** Reads what is new now (the loop does it every `intervalMs`); resolves when done. */
  poll(): Promise<void>;
  stop(): void;
}

export function followAttempts(api: TasksApi, o: { intervalMs?: number; keep?: number } = {}): AttemptFeed {
  const keep = o.keep ?? 5000;
  let records: Attempt[] = [];
  let since = 0;
  let offsetMs = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const read = async (): Promise<void> => {
    try {
      // Asks from the last attempt seen: when it is not there any more, the log was cleared or the emulator
      // restarted (its seq starts again at 1), and the feed starts over.
      const [fresh, clock] = await Promise.all([api.dispatches({ since: Math.max(0, since - 1) }), api.clock()]);
      offsetMs = seconds(clock.offset) * 1000;
      if (since > 0 && fresh[0]?.seq !== since) {
        records = [];
        since = 0;
        return;
      }
      for (const d of (since > 0 ? fresh.slice(1) : fresh) as Attempt[]) {
        since = Math.max(since, d.seq);
        records.push({ ...d, queue: short(d.queue) });
      }
      if (records.length > keep) records = records.slice(-keep);
    } catch {
      // The emulator is starting or stopping: the next poll tries again.
    }
  };
  const poll = (): Promise<void> => (running ??= read().finally(() => (running = undefined)));
  const loop = async (): Promise<void> => {
    await poll();
    if (!stopped) timer = setTimeout(loop, o.intervalMs ?? 1000);
  };
  void loop();

  return {
    poll,
    list(f) {
      const out: Attempt[] = [];
      for (let i = records.length - 1; i >= 0 && out.length < (f.limit ?? 200); i--) {
        const r = records[i]!;
        if (f.since !== undefined && r.seq <= f.since) break;
        if (f.queue && r.queue !== f.queue) continue;
        if (f.outcome && r.outcome !== f.outcome) continue;
        out.push(r);
      }
      return out;
    },
    perSecond() {
      const now = Math.floor((Date.now() + offsetMs) / 1000);
      const out: Record<string, number[]> = {};
      for (let i = records.length - 1; i >= 0; i--) {
        const r = records[i]!;
        const age = now - Math.floor(Date.parse(r.dispatchTime) / 1000);
        if (age >= 60) break;
        if (age < 0) continue;
        (out[r.queue] ??= new Array<number>(60).fill(0))[59 - age]!++;
      }
      return out;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
