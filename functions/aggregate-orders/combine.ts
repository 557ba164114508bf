/**
 * The combine step of a daily-report run: runs in the run's combine task (handle.ts), once every shard is done.
 * Merges every shard's committed parts, writes `reports/{day}` whole, enqueues the `daily-report` email with a key
 * per day (a retried or duplicated combine, or a re-run, finds the same task and sends nothing twice), and records
 * the run as combined.
 */
import type { TaskContext } from '../../shared/http.ts';
import type { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import type { ReportStore } from '../../shared/report-shards.ts';
import { buildReport, emptyTotals, mergeTotals } from '../../shared/report-totals.ts';
import { Report } from '../../shared/schemas/report.ts';
import { storeDay } from '../../shared/store-time.ts';
import type { Enqueue } from '../../shared/tasks.ts';

export type Combine = (runId: string, ctx: TaskContext) => Promise<void>;

export interface CombineDeps {
  reports: ReportStore;
  enqueue: Enqueue<typeof QUEUE_SCHEMAS>;
  /** Who gets the report email; empty: no email. */
  emailTo: string[];
  locale?: string | undefined;
  now?: () => Date;
}

/** The idempotency key of a day's report email: one email per store-day, whatever runs or retries. */
export const reportEmailKey = (day: string): string => `daily-report/${day}`;

export function createCombine(d: CombineDeps): Combine {
  const now = d.now ?? (() => new Date());
  return async (runId, ctx) => {
    const run = (await d.reports.getRun(runId))!;
    const day = storeDay(run.day, run.timeZone);
    const shards = await d.reports.listShards(runId);
    const totals = emptyTotals();
    const byHour = new Array<number>(day.hours).fill(0);
    for (const s of shards) {
      const t = await d.reports.readParts(runId, s.parts);
      byHour[s.shard] = t.orderCount;
      mergeTotals(totals, t);
    }
    const report = Report.parse(buildReport(day, totals, byHour, now()));
    await d.reports.writeReport(run.day, report);
    let emailTask: string | undefined;
    if (d.emailTo.length) {
      const payload = {
        kind: 'daily-report' as const,
        idempotencyKey: reportEmailKey(run.day),
        to: d.emailTo,
        ...(d.locale ? { locale: d.locale } : {}),
        report,
      };
      ({ name: emailTask } = await d.enqueue('notifications', payload, {
        idempotencyKey: reportEmailKey(run.day),
        trace: ctx.trace,
      }));
    }
    await d.reports.markCombined(runId, { at: now(), ...(emailTask ? { emailTask } : {}) });
    ctx.log.info('Daily report written', {
      day: run.day,
      run: run.run,
      orders: report.orderCount,
      currencies: Object.keys(report.currencies),
      emailTask,
    });
  };
}
