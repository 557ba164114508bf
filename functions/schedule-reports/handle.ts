/**
 * schedule-reports' logic: for each store-day asked (yesterday in store time by default, or a backfill), creates
 * the run document and enqueues one task per shard (hour) on the `reports` queue, spread over the off-peak window
 * of the next store-day (a window already past: now). Task ids come from day, run, shard and step 0, so a second
 * call finds the same tasks instead of enqueueing them twice. Everything is checked before anything is written.
 */
import { describeIssues, fieldIssues, RequestError, type FieldIssue } from '../../shared/errors.ts';
import type { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { reportTaskKey, type ReportStore } from '../../shared/report-shards.ts';
import { ScheduleRequest } from '../../shared/schemas/report-task.ts';
import { addDays, dayOf, instantOf, parseWindow, storeDay } from '../../shared/store-time.ts';
import type { Enqueue } from '../../shared/tasks.ts';
import type { Trace } from '../../shared/trace.ts';

export interface ScheduleDeps {
  reports: Pick<ReportStore, 'ensureRun'>;
  enqueue: Enqueue<typeof QUEUE_SCHEMAS>;
  timeZone: string;
  window: string;
  maxBackfillDays: number;
  dispatchDeadlineSeconds: number;
  now?: () => Date;
}

export interface ScheduledDay {
  day: string;
  run: string;
  timeZone: string;
  hours: number;
  /** True when the run's report is already written: nothing was enqueued. */
  done: boolean;
  tasks: { shard: number; name: string; scheduleTime: string; found: boolean }[];
}

export interface ScheduleAnswer {
  enqueued: number;
  found: number;
  days: ScheduledDay[];
}

export function createScheduleHandler(d: ScheduleDeps) {
  const now = d.now ?? (() => new Date());
  const win = parseWindow(d.window);
  /** `trace`: the call's; the run's tasks continue it, so that a run is one trace from schedule to email. */
  return async (body: unknown, trace?: Trace): Promise<ScheduleAnswer> => {
    const parsed = ScheduleRequest.safeParse(body ?? {});
    if (!parsed.success) {
      const details = fieldIssues(parsed.error.issues);
      throw new RequestError(400, 'invalid-request', `Invalid schedule request: ${describeIssues(details)}`, {
        details,
      });
    }
    const at = now();
    const today = dayOf(at.getTime(), d.timeZone);
    const days = [...new Set(parsed.data.days ?? [addDays(today, -1)])];
    const run = parsed.data.run ?? 'scheduled';
    const issues: FieldIssue[] = [];
    if (days.length > d.maxBackfillDays)
      issues.push({
        path: 'days',
        message: `at most ${d.maxBackfillDays} days per call (REPORTS_MAX_BACKFILL_DAYS); got ${days.length}`,
      });
    days.forEach((day, i) => {
      if (day >= today)
        issues.push({ path: `days.${i}`, message: `${day} has not ended yet in ${d.timeZone} (today is ${today})` });
    });
    if (issues.length)
      throw new RequestError(400, 'invalid-request', `Invalid schedule request: ${describeIssues(issues)}`, {
        details: issues,
      });

    const answer: ScheduleAnswer = { enqueued: 0, found: 0, days: [] };
    for (const day of days.sort()) {
      const stored = await d.reports.ensureRun(storeDay(day, d.timeZone), run, at);
      // A run keeps the time zone it was created with, even if STORE_TIME_ZONE changed since.
      const sd = storeDay(day, stored.timeZone);
      const out: ScheduledDay = {
        day,
        run,
        timeZone: stored.timeZone,
        hours: sd.hours,
        done: !!stored.combinedAt,
        tasks: [],
      };
      answer.days.push(out);
      if (out.done) continue;
      const next = Date.parse(`${addDays(day, 1)}T00:00:00Z`);
      const start = instantOf(next + win.start * 60_000, sd.timeZone);
      const end = instantOf(next + win.end * 60_000, sd.timeZone);
      const times = Array.from({ length: sd.hours }, (_, i) =>
        Math.max(at.getTime(), start + Math.floor((i * (end - start)) / sd.hours)),
      );
      out.tasks = await Promise.all(
        times.map(async (t, shard) => {
          const task = { day, run, shard, step: 0 };
          const r = await d.enqueue('reports', task, {
            idempotencyKey: reportTaskKey(task),
            dispatchDeadlineSeconds: d.dispatchDeadlineSeconds,
            ...(trace ? { trace } : {}),
            ...(t > at.getTime() ? { scheduleTime: new Date(t) } : {}),
          });
          return { shard, name: r.name, scheduleTime: new Date(t).toISOString(), found: r.duplicate };
        }),
      );
      for (const t of out.tasks) t.found ? answer.found++ : answer.enqueued++;
    }
    return answer;
  };
}
