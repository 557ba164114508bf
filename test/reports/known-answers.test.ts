// Daily reports on small days with hand-computed answers, end to end on the real emulators: schedule-reports →
// the emulator's reports queue → aggregate-orders (shards of one store hour) → reports/{day}. The store is in
// Europe/Berlin, so the daylight-saving days have 23 and 25 hours. Each report is also checked against the
// seed's separate expectedReport.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReport } from '../../ops/seed/expected-report.ts';
import type { Order, StorefrontEvent } from '../../shared/schemas/events.ts';
import type { Report } from '../../shared/schemas/report.ts';
import type { OrderDoc } from '../../shared/orders.ts';
import { cancelled, created, shipped } from '../support/events.ts';
import { eventually } from '../support/eventually.ts';
import { SCHEDULER, startReportStack, type ReportStack } from '../support/report-stack.ts';
import type { ScheduleAnswer } from '../../functions/schedule-reports/handle.ts';
import { reportTaskKey } from '../../shared/report-shards.ts';
import { taskIdFor } from '../../shared/tasks.ts';
import { addDays, dayOf, instantOf } from '../../shared/store-time.ts';

const TZ = 'Europe/Berlin';
let stack: ReportStack;
let nowMs = Date.parse('2026-12-01T12:00:00Z');

beforeAll(async () => {
  stack = await startReportStack({
    env: { STORE_TIME_ZONE: TZ, REPORTS_PAGE_SIZE: '2', LOG_LEVEL: 'CRITICAL' },
    now: () => new Date(nowMs),
  });
}, 300_000);
afterAll(() => stack?.close());

const line = (sku: string, name: string, quantity: number, unitPrice: number) => ({ sku, name, quantity, unitPrice });
/** An order with these lines, no shipping/tax/discount unless given. */
function simple(
  id: string,
  createdAt: string,
  currency: string,
  lines: Order['lines'],
  over: Partial<Order> = {},
): StorefrontEvent {
  const subtotal = lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
  return created(id, {
    createdAt,
    currency,
    lines,
    subtotal,
    shipping: 0,
    tax: 0,
    discount: undefined,
    total: subtotal,
    ...over,
  });
}

async function record(events: StorefrontEvent[]): Promise<void> {
  for (const e of events) await stack.store.recordEvent(e);
}

async function runDay(day: string): Promise<Report> {
  const res = await stack.schedule({ days: [day] });
  expect(res.status).toBe(200);
  const report = await eventually(async () => ((await stack.reports.getReport(day)) as Report | undefined) ?? false, {
    timeout: 45_000,
    interval: 100,
  });
  const orders = (await stack.db.collection('orders').get()).docs.map((d) => d.data() as OrderDoc);
  expect(report).toEqual(expectedReport(orders, { day, timeZone: TZ, generatedAt: report.generatedAt }));
  return report;
}

const hours = (day: string, n: number, counts: Record<number, number> = {}) => {
  const from = Date.parse(`${day}T00:00:00+01:00`);
  return Array.from({ length: n }, (_, i) => {
    const ms = from + i * 3_600_000;
    const local = new Date(ms + 3_600_000).toISOString().slice(0, 19);
    return { start: `${local}+01:00`, orders: counts[i] ?? 0 };
  });
};
const eur = {
  orders: 0,
  gross: 0,
  subtotal: 0,
  discount: 0,
  tax: 0,
  shipping: 0,
  units: 0,
  averageOrderValue: 0,
  cancelledOrders: 0,
  cancelledValue: 0,
  topByRevenue: [],
  topByUnits: [],
};

describe('daily report known answers (Europe/Berlin)', () => {
  it('an empty day: no currencies, 24 empty hours', async () => {
    expect(await runDay('2026-11-10')).toEqual({
      day: '2026-11-10',
      timeZone: TZ,
      from: '2026-11-09T23:00:00.000Z',
      to: '2026-11-10T23:00:00.000Z',
      hours: 24,
      generatedAt: '2026-12-01T12:00:00.000Z',
      orderCount: 0,
      currencies: {},
      ordersByHour: hours('2026-11-10', 24),
    });
  });

  it('one order', async () => {
    await record([created('ka-1', { createdAt: '2026-11-11T10:15:00+01:00' })]);
    const r = await runDay('2026-11-11');
    const products = [
      { sku: 'MUG-1', name: 'Mug', units: 2, revenue: 2500 },
      { sku: 'TEE-M', name: 'T-shirt', units: 1, revenue: 1999 },
    ];
    expect(r.orderCount).toBe(1);
    expect(r.currencies).toEqual({
      EUR: {
        orders: 1,
        gross: 5349,
        subtotal: 4499,
        discount: 500,
        tax: 855,
        shipping: 495,
        units: 3,
        averageOrderValue: 5349,
        cancelledOrders: 0,
        cancelledValue: 0,
        topByRevenue: products,
        topByUnits: products,
      },
    });
    expect(r.ordersByHour).toEqual(hours('2026-11-11', 24, { 10: 1 }));
  });

  it('several currencies, cancellations (also before their order), shipped, an order exactly at midnight, the day bounds', async () => {
    await record([
      created('kb-midnight', { createdAt: '2026-11-14T00:00:00+01:00' }),
      created('kb-before', { createdAt: '2026-11-13T23:59:59.999+01:00' }),
      created('kb-next', { createdAt: '2026-11-15T00:00:00+01:00' }),
      simple('kb-usd', '2026-11-14T12:00:00+01:00', 'USD', [line('SKU-A', 'Alpha', 1, 1000)]),
      simple('kb-jpy', '2026-11-14T22:59:59Z', 'JPY', [line('SKU-A', 'Alpha', 3, 500)]),
      cancelled('kb-cancelled'),
      created('kb-cancelled', { createdAt: '2026-11-14T13:00:00+01:00' }),
      created('kb-shipped', { createdAt: '2026-11-14T14:00:00+01:00' }),
      shipped('kb-shipped'),
      cancelled('kb-never-created'),
      simple('kb-cancelled-usd', '2026-11-14T15:00:00+01:00', 'GBP', [line('G', 'Gee', 1, 700)]),
      cancelled('kb-cancelled-usd'),
    ]);
    const r = await runDay('2026-11-14');
    expect(r.orderCount).toBe(6);
    const mug = { sku: 'MUG-1', name: 'Mug', units: 4, revenue: 5000 };
    const tee = { sku: 'TEE-M', name: 'T-shirt', units: 2, revenue: 3998 };
    expect(r.currencies).toEqual({
      EUR: {
        orders: 2,
        gross: 10698,
        subtotal: 8998,
        discount: 1000,
        tax: 1710,
        shipping: 990,
        units: 6,
        averageOrderValue: 5349,
        cancelledOrders: 1,
        cancelledValue: 5349,
        topByRevenue: [mug, tee],
        topByUnits: [mug, tee],
      },
      GBP: { ...eur, cancelledOrders: 1, cancelledValue: 700 },
      JPY: {
        ...eur,
        orders: 1,
        gross: 1500,
        subtotal: 1500,
        units: 3,
        averageOrderValue: 1500,
        topByRevenue: [{ sku: 'SKU-A', name: 'Alpha', units: 3, revenue: 1500 }],
        topByUnits: [{ sku: 'SKU-A', name: 'Alpha', units: 3, revenue: 1500 }],
      },
      USD: {
        ...eur,
        orders: 1,
        gross: 1000,
        subtotal: 1000,
        units: 1,
        averageOrderValue: 1000,
        topByRevenue: [{ sku: 'SKU-A', name: 'Alpha', units: 1, revenue: 1000 }],
        topByUnits: [{ sku: 'SKU-A', name: 'Alpha', units: 1, revenue: 1000 }],
      },
    });
    expect(r.ordersByHour).toEqual(hours('2026-11-14', 24, { 0: 1, 12: 1, 13: 1, 14: 1, 15: 1, 23: 1 }));
  });

  it('ties in the top lists go by sku; a sku whose lines disagree on the name takes the smallest; at most 10', async () => {
    const ten = Array.from({ length: 10 }, (_, i) =>
      line(`S${String(i + 1).padStart(2, '0')}`, i === 9 ? 'Zebra' : `Item ${i + 1}`, 1, 1000),
    );
    await record([
      simple('kc-1', '2026-11-16T09:00:00+01:00', 'EUR', [
        ...ten,
        line('S11', 'Item 11', 4, 250),
        line('S12', 'Item 12', 4, 500),
      ]),
      simple('kc-2', '2026-11-16T09:30:00+01:00', 'EUR', [line('S10', 'Apple', 1, 1000)]),
    ]);
    const r = await runDay('2026-11-16');
    const p = (n: number, units: number, revenue: number, name = `Item ${n}`) => ({
      sku: `S${String(n).padStart(2, '0')}`,
      name,
      units,
      revenue,
    });
    const s10 = p(10, 2, 2000, 'Apple');
    expect(r.currencies.EUR!.topByRevenue).toEqual([
      s10,
      p(12, 4, 2000),
      p(1, 1, 1000),
      p(2, 1, 1000),
      p(3, 1, 1000),
      p(4, 1, 1000),
      p(5, 1, 1000),
      p(6, 1, 1000),
      p(7, 1, 1000),
      p(8, 1, 1000),
    ]);
    expect(r.currencies.EUR!.topByUnits).toEqual([
      p(11, 4, 1000),
      p(12, 4, 2000),
      s10,
      p(1, 1, 1000),
      p(2, 1, 1000),
      p(3, 1, 1000),
      p(4, 1, 1000),
      p(5, 1, 1000),
      p(6, 1, 1000),
      p(7, 1, 1000),
    ]);
  });

  it('the spring-forward day has 23 hours (no 02:00), with the offsets of each hour', async () => {
    await record([
      created('kd-1', { createdAt: '2026-03-29T01:59:59+01:00' }),
      created('kd-2', { createdAt: '2026-03-29T03:00:00+02:00' }),
      created('kd-3', { createdAt: '2026-03-29T23:59:59+02:00' }),
    ]);
    const r = await runDay('2026-03-29');
    expect(r).toMatchObject({
      hours: 23,
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T22:00:00.000Z',
      orderCount: 3,
    });
    expect(r.ordersByHour).toHaveLength(23);
    expect(r.ordersByHour.slice(0, 4)).toEqual([
      { start: '2026-03-29T00:00:00+01:00', orders: 0 },
      { start: '2026-03-29T01:00:00+01:00', orders: 1 },
      { start: '2026-03-29T03:00:00+02:00', orders: 1 },
      { start: '2026-03-29T04:00:00+02:00', orders: 0 },
    ]);
    expect(r.ordersByHour[22]).toEqual({ start: '2026-03-29T23:00:00+02:00', orders: 1 });
  });

  it('the fall-back day has 25 hours (02:00 twice)', async () => {
    await record([
      created('ke-1', { createdAt: '2026-10-25T02:30:00+02:00' }),
      created('ke-2', { createdAt: '2026-10-25T02:30:00+01:00' }),
      created('ke-3', { createdAt: '2026-10-25T02:45:00+01:00' }),
    ]);
    const r = await runDay('2026-10-25');
    expect(r).toMatchObject({
      hours: 25,
      from: '2026-10-24T22:00:00.000Z',
      to: '2026-10-25T23:00:00.000Z',
      orderCount: 3,
    });
    expect(r.ordersByHour).toHaveLength(25);
    expect(r.ordersByHour.slice(1, 5)).toEqual([
      { start: '2026-10-25T01:00:00+02:00', orders: 0 },
      { start: '2026-10-25T02:00:00+02:00', orders: 1 },
      { start: '2026-10-25T02:00:00+01:00', orders: 2 },
      { start: '2026-10-25T03:00:00+01:00', orders: 0 },
    ]);
    expect(r.currencies.EUR).toMatchObject({ orders: 3, gross: 3 * 5349 });
  });
});

describe('schedule-reports', () => {
  const taskUrl = (day: string, shard: number, run = 'scheduled') =>
    `${stack.emulator.url}/v2/${stack.emulator.queuePath('reports')}/tasks/${taskIdFor('reports', reportTaskKey({ day, run, shard, step: 0 }))}`;
  const nothingFor = async (day: string) => {
    expect(await stack.reports.getRun(`${day}--scheduled`)).toBeUndefined();
    expect((await fetch(taskUrl(day, 0))).status).toBe(404);
  };

  it('{} schedules yesterday (store time), one task per hour spread over the window; a second call finds them all', async () => {
    // 01:30 store time the day after tomorrow (the emulator keeps schedule times up to 30 days ahead as given).
    const today = addDays(dayOf(Date.now(), TZ), 2);
    const yesterday = addDays(today, -1);
    nowMs = instantOf(Date.parse(`${today}T01:30:00Z`), TZ);
    const first = await stack.schedule({});
    expect(first.status).toBe(200);
    const body = (await first.json()) as ScheduleAnswer;
    expect(body).toMatchObject({
      enqueued: 24,
      found: 0,
      days: [{ day: yesterday, run: 'scheduled', timeZone: TZ, done: false }],
    });
    const times = await Promise.all(
      body.days[0]!.tasks.map(
        async (t) =>
          ((await (await fetch(taskUrl(yesterday, t.shard))).json()) as { scheduleTime: string }).scheduleTime,
      ),
    );
    // 02:00-05:00 store time, evenly spread: 7.5 minutes apart on a 24-hour day, from 30 minutes after "now".
    const ms = times.map((t) => Date.parse(t));
    expect(ms[0]).toBe(nowMs + 30 * 60_000);
    const gap = ms[1]! - ms[0]!;
    expect(gap).toBeGreaterThan(0);
    for (const [i, t] of ms.entries()) expect(Math.abs(t - (ms[0]! + i * gap))).toBeLessThanOrEqual(1);
    expect(ms.at(-1)!).toBeLessThan(nowMs + 3.5 * 3_600_000);
    const again = (await (await stack.schedule({})).json()) as ScheduleAnswer;
    expect(again).toMatchObject({ enqueued: 0, found: 24 });
    expect(again.days[0]!.tasks.map((t) => t.name)).toEqual(body.days[0]!.tasks.map((t) => t.name));
  });

  it('a day whose window has passed runs now', async () => {
    nowMs = Date.parse('2026-12-01T12:00:00Z');
    const body = (await (await stack.schedule({ days: ['2026-11-05'] })).json()) as ScheduleAnswer;
    expect(new Set(body.days[0]!.tasks.map((t) => t.scheduleTime))).toEqual(new Set(['2026-12-01T12:00:00.000Z']));
  });

  it('answers 400 naming the field to a backfill over the limit, a day not ended, or a bad run id, and enqueues nothing', async () => {
    nowMs = Date.parse('2026-12-01T12:00:00Z');
    const days = Array.from({ length: 32 }, (_, i) =>
      `2026-10-${String(i + 1).padStart(2, '0')}`.replace('2026-10-32', '2026-09-30'),
    );
    const cases: [unknown, string, RegExp][] = [
      [{ days }, 'days', /at most 31 days per call \(REPORTS_MAX_BACKFILL_DAYS\); got 32/],
      [{ days: ['2026-11-30', '2026-12-01'] }, 'days.1', /2026-12-01 has not ended yet in Europe\/Berlin/],
      [{ days: ['2026-11-31'] }, 'days.0', /date/i],
      [{ days: ['2026-11-29'], run: 'Bad Run' }, 'run', /lowercase/],
      [{ day: '2026-11-29' }, '(root)', /day/],
    ];
    for (const [body, path, message] of cases) {
      const res = await stack.schedule(body);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as {
        error: { code: string; message: string; details: { path: string; message: string }[] };
      };
      expect(error.code).toBe('invalid-request');
      expect(error.details.map((d) => d.path)).toContain(path);
      expect(error.message).toMatch(message);
    }
    await nothingFor('2026-10-01');
    await nothingFor('2026-11-30');
    await nothingFor('2026-11-29');
  });

  it('answers 401/403 to a missing or bad token and enqueues nothing', async () => {
    nowMs = Date.parse('2026-12-01T12:00:00Z');
    const body = { days: ['2026-11-28'] };
    expect((await stack.schedule(body, { token: null })).status).toBe(401);
    expect(
      (
        await stack.schedule(body, {
          token: await stack.issuer.sign({ email: SCHEDULER, aud: 'https://elsewhere.example/' }),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await stack.schedule(body, {
          token: await stack.issuer.sign({ email: 'intruder@evil.example', aud: stack.scheduleUrl }),
        })
      ).status,
    ).toBe(403);
    await nothingFor('2026-11-28');
  });
});
