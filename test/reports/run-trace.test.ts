// A daily-report run is one trace: the traceparent Cloud Scheduler calls schedule-reports with goes on every shard
// task, every follow-up step, the combine's email task, and the log lines of each. Real parts (report-stack.ts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { created } from '../support/events.ts';
import { startReportStack, type ReportStack } from '../support/report-stack.ts';

let stack: ReportStack;
const TRACE = '5a0fa5cd0a7d4d7e9d2b8e36b1c3f00d';

beforeAll(async () => {
  stack = await startReportStack({
    // One order per page and no time budget: each shard with orders takes a follow-up step.
    env: {
      STORE_TIME_ZONE: 'UTC',
      REPORTS_PAGE_SIZE: '1',
      REPORTS_TASK_BUDGET_SECONDS: '0',
      REPORTS_EMAIL_TO: 'owner@shop.example',
      LOG_LEVEL: 'INFO',
    },
    now: () => new Date('2026-12-01T12:00:00Z'),
  });
}, 300_000);
afterAll(async () => {
  await stack?.close();
});

it('puts the schedule call, every shard step, the combine and the email in the trace of the call', async () => {
  for (const [i, at] of ['2026-11-30T03:10:00Z', '2026-11-30T03:20:00Z', '2026-11-30T17:00:00Z'].entries())
    await stack.store.recordEvent(created(`ord-run-${i}`, { createdAt: at }));
  const res = await stack.schedule(
    { days: ['2026-11-30'] },
    { headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } },
  );
  expect(res.status).toBe(200);
  await stack.emulator.waitForIdle({ drained: true });
  await stack.emulator.waitForIdle();
  const attempts = stack.emulator.dispatches({});
  const reports = attempts.filter((a) => a.queue.endsWith('/reports'));
  const email = attempts.filter((a) => a.queue.endsWith('/notifications'));
  // 24 shards, and a follow-up step for each of the two hours with orders (one order per page).
  expect(new Set(reports.map((a) => a.task)).size).toBeGreaterThanOrEqual(26);
  expect(email).toHaveLength(1);
  for (const a of [...reports, ...email])
    expect(a.requestHeaders.traceparent).toMatch(new RegExp(`^00-${TRACE}-[\\da-f]{16}-01$`));
  const lines = stack.logs.entries() as Record<string, any>[];
  const fns = new Set<string>();
  for (const l of lines.filter((x) => x['logging.googleapis.com/labels']?.function !== 'storefront-webhook')) {
    expect(l['logging.googleapis.com/trace'], l.message).toBe(`projects/${stack.projectId}/traces/${TRACE}`);
    fns.add(l['logging.googleapis.com/labels'].function);
  }
  expect(fns).toEqual(new Set(['schedule-reports', 'aggregate-orders', 'send-notification']));
  expect(lines.some((l) => l.message === 'Daily report written')).toBe(true);
});
