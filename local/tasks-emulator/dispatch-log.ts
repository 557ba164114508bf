/** The dispatch log: every attempt with its request headers, response status and latency, for tests to read. */

/** One dispatch attempt as the log records it. */
export interface DispatchRecord {
  /** Increasing sequence number, 1 for the first attempt the emulator made. */
  seq: number;
  /** Full queue and task names. */
  queue: string;
  task: string;
  /** 1 for the first attempt of the task. */
  attempt: number;
  /** Whether RunTask forced this attempt. */
  runTask: boolean;
  method: string;
  url: string;
  /** The headers sent, exactly as sent (Authorization included). */
  requestHeaders: Record<string, string>;
  bodyBytes: number;
  scheduleTime: string;
  dispatchTime: string;
  responseTime: string;
  /** The target's HTTP status; absent after a deadline miss or a connection error. */
  status?: number;
  /** The start of the target's answer (its first KiB), e.g. a task target's `{"outcome":"retry","code":…}`. */
  responseBody?: string;
  timedOut?: boolean;
  error?: string;
  latencyMs: number;
  /** What the emulator did next: deleted the task, scheduled a retry, gave up, or found the task already gone. */
  outcome: 'succeeded' | 'retrying' | 'gave-up' | 'task-gone';
  nextScheduleTime?: string;
}

/** Filters for {@link DispatchLog.list}: queue and task by short id or full name, `since` a seq (exclusive). */
export interface DispatchFilter {
  queue?: string;
  task?: string;
  since?: number;
}

/** A bounded, in-memory log of attempts. */
export interface DispatchLog {
  add(rec: Omit<DispatchRecord, 'seq'>): DispatchRecord;
  list(filter?: DispatchFilter): DispatchRecord[];
  clear(): void;
}

const matches = (full: string, want: string | undefined): boolean =>
  want === undefined || full === want || full.endsWith(`/${want}`);

/** Creates a log keeping the latest `limit` attempts. */
export function createDispatchLog(limit: number): DispatchLog {
  let records: DispatchRecord[] = [];
  let seq = 0;
  return {
    add(rec) {
      const full = { seq: ++seq, ...rec };
      records.push(full);
      if (records.length > limit * 1.25) records = records.slice(-limit);
      return full;
    },
    list: (f = {}) =>
      records.filter(
        (r) => matches(r.queue, f.queue) && matches(r.task, f.task) && (f.since === undefined || r.seq > f.since),
      ),
    clear() {
      records = [];
    },
  };
}
