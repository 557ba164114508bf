import { describe, expect, it } from 'vitest';
import type { Order } from '../../shared/schemas/events.ts';
import { Report } from '../../shared/schemas/report.ts';
import { applyEvent, type OrderDoc, type OrderStatus } from '../../shared/orders.ts';
import { expectedReport } from '../../ops/seed/expected-report.ts';
import { generateDay } from '../../ops/seed/generate.ts';
import { order } from '../support/events.ts';

const generatedAt = '2026-11-23T03:00:00.000Z';
const doc = (status: OrderStatus, o?: Partial<Order> & { id: string }): OrderDoc => ({
  orderId: o?.id ?? 'orphan',
  ...(o ? { order: order(o.id, o) } : {}),
  status,
  statusAt: {},
  updatedAt: 'now',
});
const line = (sku: string, name: string, quantity: number, unitPrice: number) => ({ sku, name, quantity, unitPrice });
const hourly = (hours: number, counts: Record<number, number>) =>
  Array.from({ length: hours }, (_, i) => counts[i] ?? 0);

describe('expectedReport on hand-computed days', () => {
  it('an empty day: 24 empty hours in UTC, no currencies', () => {
    const r = expectedReport([], { day: '2026-11-22', timeZone: 'UTC', generatedAt });
    expect(Report.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      from: '2026-11-22T00:00:00.000Z',
      to: '2026-11-23T00:00:00.000Z',
      hours: 24,
      orderCount: 0,
      currencies: {},
    });
    expect(r.ordersByHour[0]).toEqual({ start: '2026-11-22T00:00:00+00:00', orders: 0 });
    expect(r.ordersByHour.map((h) => h.orders)).toEqual(hourly(24, {}));
  });

  it('several currencies, cancellations, shipped orders, ties, midnight and the day bounds', () => {
    const docs = [
      doc('created', {
        id: 'a',
        currency: 'EUR',
        createdAt: '2026-11-22T00:00:00+00:00',
        lines: [line('B-2', 'Mug', 2, 1000), line('A-1', 'Tote', 1, 2000)],
        subtotal: 4000,
        shipping: 500,
        tax: 760,
        discount: 400,
        total: 4860,
      }),
      doc('shipped', {
        id: 'b',
        currency: 'EUR',
        createdAt: '2026-11-22T10:30:00+01:00',
        lines: [line('A-1', 'Tote (old)', 1, 2000), line('C-3', 'Cap', 4, 500)],
        subtotal: 4000,
        shipping: 0,
        tax: 761,
        discount: undefined,
        total: 4761,
      }),
      doc('cancelled', {
        id: 'c',
        currency: 'EUR',
        createdAt: '2026-11-22T23:59:59Z',
        lines: [line('Z-9', 'Zed', 10, 10000)],
        subtotal: 100000,
        shipping: 0,
        tax: 0,
        discount: undefined,
        total: 100000,
      }),
      doc('cancelled', {
        id: 'd',
        currency: 'JPY',
        createdAt: '2026-11-22T15:00:00+09:00',
        lines: [line('J-1', 'Tea', 1, 1500)],
        subtotal: 1500,
        shipping: 0,
        tax: 150,
        discount: undefined,
        total: 1650,
      }),
      doc('created', { id: 'e', currency: 'USD', createdAt: '2026-11-21T23:59:59Z' }),
      doc('created', { id: 'f', currency: 'USD', createdAt: '2026-11-23T00:00:00+00:00' }),
      doc('cancelled'),
    ];
    const r = expectedReport(docs, { day: '2026-11-22', timeZone: 'UTC', generatedAt });
    expect(Report.parse(r)).toEqual(r);
    expect(r.orderCount).toBe(4);
    expect(r.ordersByHour.map((h) => h.orders)).toEqual(hourly(24, { 0: 1, 6: 1, 9: 1, 23: 1 }));
    expect(r.currencies).toEqual({
      EUR: {
        orders: 2,
        gross: 9621,
        subtotal: 8000,
        discount: 400,
        tax: 1521,
        shipping: 500,
        units: 8,
        averageOrderValue: 4811, // 4810.5 rounds up
        cancelledOrders: 1,
        cancelledValue: 100000,
        topByRevenue: [
          { sku: 'A-1', name: 'Tote', units: 2, revenue: 4000 },
          { sku: 'B-2', name: 'Mug', units: 2, revenue: 2000 },
          { sku: 'C-3', name: 'Cap', units: 4, revenue: 2000 },
        ],
        topByUnits: [
          { sku: 'C-3', name: 'Cap', units: 4, revenue: 2000 },
          { sku: 'A-1', name: 'Tote', units: 2, revenue: 4000 },
          { sku: 'B-2', name: 'Mug', units: 2, revenue: 2000 },
        ],
      },
      JPY: {
        orders: 0,
        gross: 0,
        subtotal: 0,
        discount: 0,
        tax: 0,
        shipping: 0,
        units: 0,
        averageOrderValue: 0,
        cancelledOrders: 1,
        cancelledValue: 1650,
        topByRevenue: [],
        topByUnits: [],
      },
    });
  });

  it('keeps only the top 10, ties broken by sku', () => {
    const lines = Array.from({ length: 12 }, (_, i) =>
      line(`S-${String(12 - i).padStart(2, '0')}`, `Item ${i}`, 1, 100),
    );
    const r = expectedReport(
      [
        doc('created', {
          id: 'x',
          createdAt: '2026-11-22T12:00:00Z',
          lines,
          subtotal: 1200,
          shipping: 0,
          tax: 0,
          discount: undefined,
          total: 1200,
        }),
      ],
      { day: '2026-11-22', timeZone: 'UTC', generatedAt },
    );
    const skus = Array.from({ length: 10 }, (_, i) => `S-${String(i + 1).padStart(2, '0')}`);
    expect(r.currencies.EUR!.topByRevenue.map((p) => p.sku)).toEqual(skus);
    expect(r.currencies.EUR!.topByUnits.map((p) => p.sku)).toEqual(skus);
  });

  it('the 23-hour spring-forward day in Europe/Berlin', () => {
    const docs = [
      doc('created', { id: 'a', createdAt: '2026-03-29T01:59:59+01:00' }),
      doc('created', { id: 'b', createdAt: '2026-03-29T03:30:00+02:00' }),
      doc('created', { id: 'c', createdAt: '2026-03-28T23:59:59+01:00' }),
      doc('created', { id: 'd', createdAt: '2026-03-29T21:59:59Z' }),
    ];
    const r = expectedReport(docs, { day: '2026-03-29', timeZone: 'Europe/Berlin', generatedAt });
    expect(Report.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T22:00:00.000Z',
      hours: 23,
      orderCount: 3,
    });
    expect(r.ordersByHour.map((h) => h.start).slice(0, 4)).toEqual([
      '2026-03-29T00:00:00+01:00',
      '2026-03-29T01:00:00+01:00',
      '2026-03-29T03:00:00+02:00',
      '2026-03-29T04:00:00+02:00',
    ]);
    expect(r.ordersByHour[22]!.start).toBe('2026-03-29T23:00:00+02:00');
    expect(r.ordersByHour.map((h) => h.orders)).toEqual(hourly(23, { 1: 1, 2: 1, 22: 1 }));
  });

  it('the 25-hour fall-back day in Europe/Berlin: 02:00 twice', () => {
    const docs = [
      doc('created', { id: 'a', createdAt: '2026-10-25T02:30:00+02:00' }),
      doc('created', { id: 'b', createdAt: '2026-10-25T02:30:00+01:00' }),
      doc('created', { id: 'c', createdAt: '2026-10-25T00:00:00+02:00' }),
    ];
    const r = expectedReport(docs, { day: '2026-10-25', timeZone: 'Europe/Berlin', generatedAt });
    expect(Report.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      from: '2026-10-24T22:00:00.000Z',
      to: '2026-10-25T23:00:00.000Z',
      hours: 25,
      orderCount: 3,
    });
    expect(r.ordersByHour.map((h) => h.start).slice(2, 4)).toEqual([
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
    ]);
    expect(r.ordersByHour[24]!.start).toBe('2026-10-25T23:00:00+01:00');
    expect(r.ordersByHour.map((h) => h.orders)).toEqual(hourly(25, { 0: 1, 2: 1, 3: 1 }));
  });
});

describe('expectedReport on a generated day', () => {
  it('counts every generated order once and gives a valid report', () => {
    const docs = new Map<string, OrderDoc>();
    for (const e of generateDay({
      day: '2026-11-22',
      timeZone: 'Asia/Tokyo',
      orders: 5000,
      currencies: ['JPY', 'USD', 'KWD'],
      cancelled: 0.05,
      seed: 3,
    })) {
      const id = e.type === 'order.created' ? e.data.order.id : e.data.orderId;
      docs.set(id, applyEvent(docs.get(id), e, 'now'));
    }
    const r = expectedReport(docs.values(), { day: '2026-11-22', timeZone: 'Asia/Tokyo', generatedAt });
    expect(Report.parse(r)).toEqual(r);
    expect(r.orderCount).toBe(5000);
    expect(r.ordersByHour.reduce((s, h) => s + h.orders, 0)).toBe(5000);
    expect(Object.keys(r.currencies)).toEqual(['JPY', 'KWD', 'USD']);
    const all = Object.values(r.currencies);
    expect(all.reduce((s, c) => s + c.orders + c.cancelledOrders, 0)).toBe(5000);
    expect(all.reduce((s, c) => s + c.cancelledOrders, 0)).toBe(
      [...docs.values()].filter((d) => d.order && d.status === 'cancelled').length,
    );
  });
});
