/**
 * The dispatcher: per queue, a heap of tasks by scheduleTime, a token bucket and a concurrency cap. It sleeps until
 * the next due task or token (one clock timer per queue), never polling over all tasks.
 */
import type { Clock } from './clock.ts';
import type { DispatchLog } from './dispatch-log.ts';
import { createHeap } from './heap.ts';
import type { Heap } from './heap.ts';
import type { HttpSender } from './http-attempt.ts';
import type { OidcIssuer } from './oidc.ts';
import { burstSize } from './queue-config.ts';
import type { Store } from './store.ts';
import { withQueueTarget } from './queue-target.ts';
import { settleAttempt } from './settle.ts';
import { targetRequest } from './target-request.ts';
import type { TaskRecord } from './task-model.ts';

/** Dispatches due tasks of running queues within their rate limits. */
export interface Scheduler {
  /** Schedules the tasks already in the store (once the server listens, so tokens carry the right issuer). */
  start(): void;
  /** While held, nothing is dispatched (tasks still come due); for a runner whose targets are not up yet. */
  hold(): void;
  /** Ends {@link Scheduler.hold}: every queue dispatches what is due. */
  release(): void;
  isHeld(): boolean;
  /** Puts a new or rescheduled task on its queue's schedule. */
  schedule(task: TaskRecord): void;
  /** Re-reads a queue after a config or state change (pause, resume, patch, delete). */
  queueChanged(name: string): void;
  /** RunTask: one attempt now, ignoring pause, rate limits and schedule. Counters are updated before it returns. */
  runNow(task: TaskRecord): void;
  /** No attempt in flight and no due task waiting in a running queue; `drained`: no task at all in a running queue. */
  isIdle(drained?: boolean): boolean;
  /** Aborts in-flight attempts without recording them (their tasks stay due, so they run again after a restart). */
  close(): Promise<void>;
}

interface Entry {
  at: number;
  seq: number;
  name: string;
  version: number;
}
interface QueueRuntime {
  heap: Heap<Entry>;
  tokens: number;
  refilledAt: number;
  inflight: number;
  wake?: { at: number; cancel: () => void };
}

/** Dependencies of the scheduler. */
export interface SchedulerDeps {
  store: Store;
  clock: Clock;
  sender: HttpSender;
  log: DispatchLog;
  oidc: OidcIssuer;
  tombstoneMs: number;
}

/** Creates the scheduler; {@link Scheduler.start} schedules the tasks already in the store. */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { store, clock, sender, oidc } = deps;
  let held = false;
  const runtimes = new Map<string, QueueRuntime>();
  const versions = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  let seq = 0;
  let closed = false;

  const runtime = (queue: string): QueueRuntime => {
    let rt = runtimes.get(queue);
    if (!rt) {
      const rate = store.getQueue(queue)?.rateLimits.maxDispatchesPerSecond ?? 500;
      rt = {
        heap: createHeap((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq)),
        tokens: burstSize(rate),
        refilledAt: clock.now(),
        inflight: 0,
      };
      runtimes.set(queue, rt);
    }
    return rt;
  };
  const valid = (e: Entry): boolean => versions.get(e.name) === e.version && store.getTask(e.name) !== undefined;
  const validTop = (rt: QueueRuntime): Entry | undefined => {
    while (rt.heap.size > 0 && !valid(rt.heap.peek()!)) {
      const stale = rt.heap.pop()!;
      if (!store.getTask(stale.name)) versions.delete(stale.name); // deleted or purged: forget it
    }
    return rt.heap.peek();
  };
  const sleepUntil = (queue: string, rt: QueueRuntime, at: number): void => {
    if (rt.wake && rt.wake.at <= at) return; // an earlier wake re-evaluates anyway
    rt.wake?.cancel();
    rt.wake = { at, cancel: clock.setTimer(at, () => ((rt.wake = undefined), pump(queue))) };
  };

  function pump(queue: string): void {
    const q = store.getQueue(queue);
    const rt = runtimes.get(queue);
    if (!rt || closed || held) return;
    if (q?.state !== 'RUNNING') {
      rt.wake?.cancel();
      rt.wake = undefined;
      return;
    }
    const now = clock.now();
    const rate = q.rateLimits.maxDispatchesPerSecond;
    rt.tokens = Math.min(burstSize(rate), rt.tokens + ((now - rt.refilledAt) * rate) / 1000);
    rt.refilledAt = now;
    for (let top = validTop(rt); top; top = validTop(rt)) {
      if (top.at > now) {
        sleepUntil(queue, rt, top.at);
        return;
      }
      if (rt.inflight >= q.rateLimits.maxConcurrentDispatches) return; // a finishing attempt pumps again
      if (rt.tokens < 1 - 1e-9) {
        sleepUntil(queue, rt, now + ((1 - rt.tokens) * 1000) / rate);
        return;
      }
      rt.tokens -= 1;
      rt.heap.pop();
      versions.set(top.name, ++seq); // the popped entry is spent
      attempt(store.getTask(top.name)!, false);
    }
  }

  function attempt(task: TaskRecord, runTask: boolean): void {
    const rt = runtime(task.queue);
    const dispatchTime = clock.now();
    const httpTarget = store.getQueue(task.queue)?.passthrough.httpTarget as Record<string, unknown> | undefined;
    const before = { ...task, httpRequest: withQueueTarget(task.httpRequest, httpTarget) };
    const lastAttempt = { scheduleTime: task.scheduleTime, dispatchTime };
    store.updateTask(task.name, {
      dispatchCount: task.dispatchCount + 1,
      firstAttempt: task.firstAttempt ?? { dispatchTime },
      lastAttempt,
    });
    rt.inflight++;
    const run = async (): Promise<void> => {
      const tok = before.httpRequest.oidcToken;
      const bearer = tok
        ? await oidc.token(tok.serviceAccountEmail, tok.audience ?? before.httpRequest.url)
        : undefined;
      const req = targetRequest(before, bearer);
      const started = performance.now();
      const outcome = await sender.send(req, dispatchTime + task.dispatchDeadlineMs);
      rt.inflight--;
      if (closed) return;
      const latencyMs = performance.now() - started;
      const next = settleAttempt(deps, {
        name: task.name,
        req,
        outcome,
        runTask,
        lastAttempt,
        latencyMs,
        attempt: before.dispatchCount + 1,
      });
      if (next) schedule(next);
      else if (!store.getTask(task.name)) versions.delete(task.name);
      pump(task.queue);
    };
    const p = run().catch((err: unknown) => {
      rt.inflight = Math.max(0, rt.inflight - 1);
      console.error('tasks emulator: dispatch failed unexpectedly; the task is tried again in 1 s', err);
      if (closed || !store.getTask(task.name)) return;
      store.updateTask(task.name, { scheduleTime: clock.now() + 1000 }); // never leave a task unscheduled
      schedule(store.getTask(task.name)!);
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }

  function schedule(task: TaskRecord): void {
    // Versions come from one counter, so an entry of a deleted task can never match a later task of that name.
    const version = ++seq;
    versions.set(task.name, version);
    runtime(task.queue).heap.push({ at: task.scheduleTime, seq: version, name: task.name, version });
    pump(task.queue);
  }

  return {
    start() {
      for (const t of store.allTasks()) schedule(t);
    },
    schedule,
    hold: () => void (held = true),
    release() {
      held = false;
      for (const name of runtimes.keys()) pump(name);
    },
    isHeld: () => held,
    queueChanged(name) {
      if (!store.getQueue(name)) {
        runtimes.get(name)?.wake?.cancel();
        runtimes.delete(name);
        return;
      }
      runtime(name);
      pump(name);
    },
    runNow(task) {
      versions.set(task.name, ++seq);
      attempt(task, true);
    },
    isIdle(drained = false) {
      if (pending.size > 0) return false;
      const now = clock.now();
      for (const [name, rt] of runtimes) {
        const top = validTop(rt);
        if (top && (drained || top.at <= now) && store.getQueue(name)?.state === 'RUNNING') return false;
      }
      return true;
    },
    async close() {
      closed = true;
      for (const rt of runtimes.values()) rt.wake?.cancel();
      sender.close();
      await Promise.allSettled([...pending]);
    },
  };
}
