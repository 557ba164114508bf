/**
 * aggregate-orders' logic: one step of one shard (an hour of a store-day). Reads the shard's orders in pages from
 * its committed cursor, holding only this step's totals, until the hour is read or the time budget is spent; then
 * writes the step's part and commits it with the new cursor in one transaction, and enqueues the next step (its
 * task id from day, run, shard and step, so a retry cannot fork the shard).
 *
 * Fan-in: the shard task that finds every shard done enqueues the run's combine task, whose id comes from day and
 * run alone, and ends; shards finishing at the same moment enqueue that one task (Cloud Tasks refuses the same id
 * twice). So no shard task waits on another, and the combine (combine.ts) is retried by its own task if its instance
 * dies. A combine task delivered twice combines twice into the same report, and sends one email (its key is the day).
 */
import { randomUUID } from 'node:crypto';
import { RetryableError } from '../../shared/errors.ts';
import type { TaskContext } from '../../shared/http.ts';
import type { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { combineTaskKey, reportTaskKey, runIdOf, type ReportStore } from '../../shared/report-shards.ts';
import { addOrder, emptyTotals } from '../../shared/report-totals.ts';
import type { CombineTask, ReportTask, ShardTask } from '../../shared/schemas/report-task.ts';
import { shardBounds, storeDay } from '../../shared/store-time.ts';
import type { Enqueue } from '../../shared/tasks.ts';
import type { Combine } from './combine.ts';

export interface AggregateDeps {
  reports: ReportStore;
  enqueue: Enqueue<typeof QUEUE_SCHEMAS>;
  combine: Combine;
  /** Orders per Firestore query. */
  pageSize: number;
  /** Stop reading after this many ms and continue in a follow-up task (at least one page is always read). */
  budgetMs: number;
  /** Dispatch deadline of follow-up tasks, in seconds. */
  dispatchDeadlineSeconds: number;
  now?: () => Date;
  /** Monotonic ms, for the time budget. */
  elapsed?: () => number;
}

export function createAggregateHandler(d: AggregateDeps) {
  const now = d.now ?? (() => new Date());
  const elapsed = d.elapsed ?? (() => performance.now());
  const followUp = (t: ShardTask, step: number, ctx: TaskContext) =>
    d.enqueue(
      'reports',
      { ...t, step },
      {
        idempotencyKey: reportTaskKey({ ...t, step }),
        dispatchDeadlineSeconds: d.dispatchDeadlineSeconds,
        trace: ctx.trace,
      },
    );

  /** The shard is done: when every shard is, enqueue the run's one combine task. */
  const afterDone = async (t: ShardTask, hours: number, ctx: TaskContext) => {
    if (!(await d.reports.allShardsDone(runIdOf(t.day, t.run), hours))) return;
    const task = { combine: true as const, day: t.day, run: t.run };
    const r = await d.enqueue('reports', task, {
      idempotencyKey: combineTaskKey(task),
      dispatchDeadlineSeconds: d.dispatchDeadlineSeconds,
      trace: ctx.trace,
    });
    ctx.log.info('Every shard done; combine enqueued', {
      day: t.day,
      run: t.run,
      task: r.name,
      duplicate: r.duplicate,
    });
  };

  const combineRun = async (t: CombineTask, ctx: TaskContext) => {
    const id = runIdOf(t.day, t.run);
    const run = await d.reports.getRun(id);
    if (!run)
      throw new RetryableError(
        'not-ready',
        `Report run ${id} does not exist (schedule-reports creates it before enqueueing)`,
      );
    if (run.combinedAt) return; // a duplicate delivery of a combine that finished
    if (!(await d.reports.allShardsDone(id, run.hours)))
      throw new RetryableError('not-ready', `Not every shard of ${id} is done yet`);
    await d.combine(id, ctx);
  };

  return async (t: ReportTask, ctx: TaskContext): Promise<void> => {
    if (t.combine) return combineRun(t, ctx);
    const id = runIdOf(t.day, t.run);
    const run = await d.reports.getRun(id);
    if (!run)
      throw new RetryableError(
        'not-ready',
        `Report run ${id} does not exist (schedule-reports creates it before enqueueing)`,
      );
    if (t.shard >= run.hours) {
      ctx.log.warn('Shard beyond the hours of its day; nothing to do', {
        day: t.day,
        shard: t.shard,
        hours: run.hours,
      });
      return;
    }
    const state = await d.reports.getShard(id, t.shard, now());
    if (state.done) return afterDone(t, run.hours, ctx);
    if (state.step > t.step) {
      // A duplicate or retried task of a step already committed: make sure the next step's task exists.
      await followUp(t, state.step, ctx);
      return;
    }
    if (state.step < t.step)
      throw new RetryableError(
        'not-ready',
        `Shard ${t.shard} of ${t.day} is at step ${state.step}, not yet at ${t.step}`,
      );

    const day = storeDay(run.day, run.timeZone);
    const { start, end } = shardBounds(day, t.shard);
    const totals = emptyTotals();
    const began = elapsed();
    let cursor = state.cursor;
    let done = false;
    do {
      const page = await d.reports.pageOrders(start, end, cursor, d.pageSize);
      for (const o of page.orders) addOrder(totals, o);
      if (page.cursor) cursor = page.cursor;
      done = page.count < d.pageSize;
    } while (!done && elapsed() - began < d.budgetMs);

    const part = `${String(t.shard).padStart(2, '0')}-${t.step}-${randomUUID().slice(0, 8)}`;
    await d.reports.writePart(id, part, t.shard, t.step, totals);
    const r = await d.reports.commitStep(id, t.shard, t.step, {
      part,
      cursor,
      done,
      orders: totals.orderCount,
      now: now(),
    });
    ctx.log.info('Report step read', {
      day: t.day,
      run: t.run,
      shard: t.shard,
      step: t.step,
      orders: totals.orderCount,
      done,
      committed: r.committed,
      ms: Math.round(elapsed() - began),
    });
    if (!r.committed) {
      await d.reports.deletePart(id, part).catch(() => {});
      if (r.state.done) return afterDone(t, run.hours, ctx);
      if (r.state.step > t.step) await followUp(t, r.state.step, ctx);
      return;
    }
    if (!done) await followUp(t, t.step + 1, ctx);
    else await afterDone(t, run.hours, ctx);
  };
}
