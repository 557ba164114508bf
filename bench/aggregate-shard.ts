/**
 * Child process of the reports benchmark: aggregates shard 0 of a day in one task (no time budget) with
 * aggregate-orders' own handler and document store, then prints the orders read, the time and the peak RSS
 * (getrusage maxrss) as one JSON line. Arguments: firestore host, project, day, page size.
 */
import { createAggregateHandler } from '../functions/aggregate-orders/handle.ts';
import { createLogger } from '../shared/log.ts';
import { createReportStore } from '../shared/report-shards.ts';
import { createFirestore } from '../shared/firestore.ts';
import { storeDay } from '../shared/store-time.ts';

const [host, project, day, page] = process.argv.slice(2) as [string, string, string, string];
const db = createFirestore({ projectId: project, databaseId: '(default)', emulatorHost: host });
const reports = createReportStore(db, { timeoutMs: 120_000 });
await reports.ensureRun(storeDay(day, 'UTC'), 'bench', new Date());
const handle = createAggregateHandler({
  reports,
  enqueue: async () => ({ name: 'none', duplicate: false }),
  combine: async () => {},
  pageSize: Number(page),
  budgetMs: 3_600_000,
  dispatchDeadlineSeconds: 600,
});
const log = createLogger({ level: 'ERROR' });
const started = performance.now();
await handle({ day, run: 'bench', shard: 0, step: 0 }, { log } as never);
const ms = performance.now() - started;
const shard = await reports.getShard(`${day}--bench`, 0, new Date());
console.log(
  JSON.stringify({
    orders: shard.orders,
    ms: Math.round(ms),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
await db.terminate();
