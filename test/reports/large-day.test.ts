// A 20,000-order day (the seed's generator, three currencies, cancellations, shipped orders) end to end on the
// real emulators, with shards continuing in follow-up tasks (one page per task), checked field by field against
// the seed's separate expectedReport. Then the same day scheduled again, and re-run with its shard tasks delivered
// twice and shards and the combine killed midway: always the same report, and exactly one report email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReport } from '../../ops/seed/expected-report.ts';
import { generateDay } from '../../ops/seed/generate.ts';
import { createEnqueuer, createTasksClient } from '../../shared/tasks.ts';
import { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import type { ReportStore } from '../../shared/report-shards.ts';
import type { Report } from '../../shared/schemas/report.ts';
import type { OrderDoc } from '../../shared/orders.ts';
import { eventually } from '../support/eventually.ts';
import { startReportStack, type ReportStack } from '../support/report-stack.ts';
import { INVOKER } from '../support/stack.ts';

const DAY = '2026-11-22';
const TZ = 'Europe/Berlin';
let stack: ReportStack;
let expected: Report;
/** Crash points armed by a test: the next call of that store method for that shard throws once. */
const crash = new Map<string, number>();

function withCrashes(r: ReportStore): ReportStore {
  const once = (key: string) => {
    if (crash.has(key)) {
      crash.delete(key);
      throw new Error(`injected crash at ${key}`);
    }
  };
  return {
    ...r,
    writePart: async (id, part, shard, step, t) => (
      once(`writePart ${shard}/${step}`), r.writePart(id, part, shard, step, t)
    ),
    commitStep: async (id, shard, step, c) => {
      const out = await r.commitStep(id, shard, step, c);
      once(`afterCommit ${shard}/${step}`);
      return out;
    },
    markCombined: async (id, c) => (once('markCombined'), r.markCombined(id, c)),
  };
}

beforeAll(async () => {
  let clock = () => new Date();
  stack = await startReportStack({
    env: {
      STORE_TIME_ZONE: TZ,
      REPORTS_PAGE_SIZE: '1000',
      REPORTS_TASK_BUDGET_SECONDS: '0',
      REPORTS_EMAIL_TO: 'owner@shop.example,books@shop.example',
      LOG_LEVEL: 'CRITICAL',
    },
    now: () => clock(),
    wrapReports: withCrashes,
  });
  clock = () => stack.emulator.clock.now();
  const started = performance.now();
  const orders = await stack.writeEvents(
    generateDay({
      day: DAY,
      timeZone: TZ,
      orders: 20_000,
      currencies: ['EUR', 'USD', 'JPY'],
      cancelled: 0.05,
      seed: 7,
    }),
  );
  console.info(`wrote ${orders.length} order documents in ${Math.round(performance.now() - started)} ms`);
  const stored = (await stack.db.collection('orders').get()).docs.map((d) => d.data() as OrderDoc);
  expected = expectedReport(stored, { day: DAY, timeZone: TZ, generatedAt: '(generated)' });
  expect(expected.orderCount).toBe(20_000);
}, 300_000);
afterAll(() => stack?.close());

const reportEmails = () =>
  stack.sink
    .messages()
    .filter(
      (m) =>
        (m.request.custom_args as { idempotencyKey?: string } | undefined)?.idempotencyKey === `daily-report/${DAY}`,
    );
/** Waits for the run's report, advancing the emulator clock so retries (backoff 30 s) come due. */
async function reportOf(run: string): Promise<Report> {
  return eventually(
    async () => {
      const r = await stack.reports.getRun(`${DAY}--${run}`);
      if (!r?.combinedAt) {
        stack.emulator.clock.advance(31_000);
        return false;
      }
      return (await stack.reports.getReport(DAY)) as Report;
    },
    { timeout: 240_000, interval: 250 },
  );
}
const same = (r: Report) => expect({ ...r, generatedAt: '(generated)' }).toEqual(expected);

describe('a 20,000-order day', () => {
  it('equals the expected report field by field, and sends one report email', { timeout: 300_000 }, async () => {
    const started = performance.now();
    const res = await stack.schedule({ days: [DAY] });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ enqueued: 24, found: 0 });
    same(await reportOf('scheduled'));
    console.info(
      `aggregated 20,000 orders (24 shards, one page of 1000 per task) in ${Math.round(performance.now() - started)} ms`,
    );
    const shards = await stack.reports.listShards(`${DAY}--scheduled`);
    expect(shards.some((s) => s.step > 1)).toBe(true); // shards did continue in follow-up tasks
    await eventually(() => expect(reportEmails()).toHaveLength(1), { timeout: 30_000 });
    expect(reportEmails()[0]!.to.sort()).toEqual(['books@shop.example', 'owner@shop.example']);
  });

  it('scheduled again: nothing is enqueued, the report stays', async () => {
    const res = await stack.schedule({ days: [DAY] });
    expect(await res.json()).toMatchObject({ enqueued: 0, days: [{ day: DAY, done: true }] });
  });

  it('a re-run with every shard task delivered twice, shards killed midway (before and after committing a step) and the combine killed before it is recorded: the same report, still one email', {
    timeout: 400_000,
  }, async () => {
    crash.set('writePart 18/1', 1).set('afterCommit 19/0', 1).set('afterCommit 20/1', 1).set('markCombined', 1);
    const res = await stack.schedule({ days: [DAY], run: 'faults' });
    expect(await res.json()).toMatchObject({ enqueued: 24 });
    // At-least-once delivery: a second task (another id) with the same payload for every shard's first two steps.
    const enqueue = createEnqueuer({
      client: createTasksClient({ emulatorHost: stack.env.CLOUD_TASKS_EMULATOR_HOST! }),
      project: stack.projectId,
      location: 'us-central1',
      serviceAccount: INVOKER,
      schemas: QUEUE_SCHEMAS,
      targets: { reports: { url: stack.aggregateUrl } },
    });
    for (let shard = 0; shard < 24; shard++)
      for (const step of [0, 1]) await enqueue('reports', { day: DAY, run: 'faults', shard, step });
    same(await reportOf('faults'));
    expect([...crash.keys()]).toEqual([]); // every crash happened
    await stack.emulator.waitForIdle({ timeout: 60_000 });
    expect(reportEmails()).toHaveLength(1);
  });
});
