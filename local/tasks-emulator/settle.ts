/** What happens after an attempt: delete on 2xx, otherwise count it and retry with backoff or give up. */
import type { Clock } from './clock.ts';
import type { DispatchLog, DispatchRecord } from './dispatch-log.ts';
import type { AttemptOutcome, TargetRequest } from './http-attempt.ts';
import { formatTimestamp } from './proto-json.ts';
import { backoffMs, parseRetryAfter, shouldStop } from './retry.ts';
import type { Store } from './store.ts';
import { rpcStatusFor } from './target-request.ts';
import type { AttemptRecord, TaskRecord } from './task-model.ts';

/** One finished attempt. */
export interface FinishedAttempt {
  name: string;
  req: TargetRequest;
  outcome: AttemptOutcome;
  runTask: boolean;
  lastAttempt: AttemptRecord;
  latencyMs: number;
  attempt: number;
}

/** Applies an attempt's outcome to the store and the log; returns the task if it must be scheduled again. */
export function settleAttempt(
  deps: { store: Store; clock: Clock; log: DispatchLog; tombstoneMs: number },
  a: FinishedAttempt,
): TaskRecord | undefined {
  const { store, clock, log, tombstoneMs } = deps;
  const end = clock.now();
  const { status, timedOut, error, retryAfter, body } = a.outcome;
  const task = store.getTask(a.name);
  const record = (outcome: DispatchRecord['outcome'], next?: number): void => {
    log.add({
      queue: a.name.slice(0, a.name.lastIndexOf('/tasks/')),
      task: a.name,
      attempt: a.attempt,
      runTask: a.runTask,
      method: a.req.method,
      url: a.req.url,
      requestHeaders: a.req.headers,
      bodyBytes: a.req.body?.length ?? 0,
      scheduleTime: formatTimestamp(a.lastAttempt.scheduleTime),
      dispatchTime: formatTimestamp(a.lastAttempt.dispatchTime),
      responseTime: formatTimestamp(end),
      ...(status !== undefined ? { status } : {}),
      ...(body ? { responseBody: body } : {}),
      ...(timedOut ? { timedOut } : {}),
      ...(error ? { error } : {}),
      latencyMs: a.latencyMs,
      outcome,
      ...(next !== undefined ? { nextScheduleTime: formatTimestamp(next) } : {}),
    });
  };

  if (!task) return (record('task-gone'), undefined);
  if (status !== undefined && status >= 200 && status < 300) {
    store.deleteTask(a.name, end + tombstoneMs);
    return (record('succeeded'), undefined);
  }
  const received = status !== undefined && !timedOut;
  const q = store.getQueue(task.queue)!;
  const elapsed = end - (task.firstAttempt?.dispatchTime ?? end);
  if (shouldStop(task.dispatchCount, elapsed, q.retryConfig)) {
    store.deleteTask(a.name, end + tombstoneMs);
    return (record('gave-up'), undefined);
  }
  let delay = backoffMs(task.dispatchCount, q.retryConfig);
  if (status === 429 || status === 503) delay = Math.max(delay, parseRetryAfter(retryAfter, Date.now()) ?? 0);
  const scheduleTime = end + delay;
  store.updateTask(a.name, {
    scheduleTime,
    responseCount: task.responseCount + (received ? 1 : 0),
    executionCount: task.executionCount + (received && status < 500 ? 1 : 0),
    previousResponse: timedOut ? 504 : (status ?? 0),
    lastAttempt: { ...a.lastAttempt, responseTime: end, responseStatus: rpcStatusFor(status, timedOut === true) },
  });
  record('retrying', scheduleTime);
  return store.getTask(a.name);
}
