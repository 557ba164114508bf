import { describe, expect, it } from 'vitest';
import { StorefrontEvent } from '../../shared/schemas/events.ts';
import { applyEvent, type OrderDoc } from '../../shared/orders.ts';
import { generateDay } from '../../ops/seed/generate.ts';

const base = {
  day: '2026-11-22',
  timeZone: 'UTC',
  orders: 2000,
  currencies: ['EUR', 'USD', 'JPY', 'KWD'],
  cancelled: 0.05,
  seed: 7,
};
const created = (events: StorefrontEvent[]) =>
  events.flatMap((e) => (e.type === 'order.created' ? [e.data.order] : []));

function fold(events: Iterable<StorefrontEvent>): Map<string, OrderDoc> {
  const docs = new Map<string, OrderDoc>();
  for (const e of events) {
    const id = e.type === 'order.created' ? e.data.order.id : e.data.orderId;
    docs.set(id, applyEvent(docs.get(id), e, 'now'));
  }
  return docs;
}

describe('generateDay', () => {
  // One large day for the tests about volume (generated once: 20,000 orders take a second or two).
  let large: StorefrontEvent[] | undefined;
  const largeDay = () => (large ??= [...generateDay({ ...base, orders: 20_000 })]);

  it('is deterministic for a seed, and a different seed gives a different day', () => {
    const a = [...generateDay(base)];
    expect([...generateDay(base)]).toEqual(a);
    const b = [...generateDay({ ...base, seed: 8 })];
    expect(b).not.toEqual(a);
    expect(b.filter((e) => e.type === 'order.created')).toHaveLength(2000);
  });

  it('writes valid events: every order passes the Order schema (sums included), ids unique, customers fake', () => {
    const events = [...generateDay(base)];
    for (const e of events) expect(StorefrontEvent.safeParse(e).error).toBeUndefined();
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const o of created(events)) {
      expect(o.customer.email).toMatch(/@example\.com$/);
      expect(o.createdAt >= '2026-11-22T00:00:00+00:00' && o.createdAt < '2026-11-23T00:00:00+00:00').toBe(true);
    }
  });

  it('uses the minor units of each currency: yen prices in whole tens of yen, dinar prices in fils ending in 990', () => {
    const orders = created([...generateDay({ ...base, orders: 4000 })]);
    const prices = (c: string) =>
      orders.filter((o) => o.currency === c).flatMap((o) => o.lines.map((l) => l.unitPrice));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    for (const c of ['EUR', 'USD', 'JPY', 'KWD']) expect(prices(c).length).toBeGreaterThan(50);
    expect(prices('JPY').every((p) => p % 10 === 0)).toBe(true);
    expect(median(prices('JPY'))).toBeGreaterThan(1_000); // ¥1,000+: yen are not cents
    expect(prices('KWD').every((p) => p % 1000 === 990)).toBe(true);
    expect(prices('EUR').every((p) => p % 100 === 99)).toBe(true);
    expect(median(prices('EUR'))).toBeLessThan(median(prices('JPY')));
  });

  it('spreads a large day over every hour, evening-heavy, with skewed SKU popularity', () => {
    const orders = created(largeDay());
    const hours = new Array<number>(24).fill(0);
    for (const o of orders) hours[Number(o.createdAt.slice(11, 13))]! += 1;
    expect(Math.min(...hours)).toBeGreaterThan(0);
    expect(hours[20]!).toBeGreaterThan(5 * hours[4]!);
    expect(orders[0]!.createdAt).toBe('2026-11-22T00:00:00+00:00');
    expect(orders.at(-1)!.createdAt).toBe('2026-11-22T23:59:59+00:00');
    const units = new Map<string, number>();
    for (const l of orders.flatMap((o) => o.lines)) units.set(l.sku, (units.get(l.sku) ?? 0) + l.quantity);
    const ranked = [...units.values()].sort((a, b) => b - a);
    expect(units.size).toBeGreaterThan(1000);
    expect(ranked[0]!).toBeGreaterThan(20 * ranked[199]!);
  });

  it('covers the 23 and 25 hours of Berlin daylight-saving days with the offset of each instant', () => {
    const spring = created([...generateDay({ ...base, day: '2026-03-29', timeZone: 'Europe/Berlin', orders: 500 })]);
    expect(spring[0]!.createdAt).toBe('2026-03-29T00:00:00+01:00');
    expect(spring.at(-1)!.createdAt).toBe('2026-03-29T23:59:59+02:00');
    // 02:00–03:00 does not exist that night; before it the offset is +01:00, after it +02:00.
    for (const o of spring) {
      const hour = Number(o.createdAt.slice(11, 13));
      expect(hour).not.toBe(2);
      expect(o.createdAt.slice(19)).toBe(hour < 2 ? '+01:00' : '+02:00');
    }
    const autumn = created([...generateDay({ ...base, day: '2026-10-25', timeZone: 'Europe/Berlin', orders: 500 })]);
    const utcHours = new Set(autumn.map((o) => new Date(o.createdAt).toISOString().slice(0, 13)));
    expect(utcHours.size).toBe(25); // every one of the 25 hours, 02:00 twice (+02:00, then +01:00)
    expect(autumn.some((o) => o.createdAt.startsWith('2026-10-25T02') && o.createdAt.endsWith('+02:00'))).toBe(true);
    expect(autumn.some((o) => o.createdAt.startsWith('2026-10-25T02') && o.createdAt.endsWith('+01:00'))).toBe(true);
  });

  it('cancels about the fraction asked, some before their order arrives, ships a few, and adds orphan cancellations', () => {
    const events = largeDay();
    const docs = fold(events);
    const withOrder = [...docs.values()].filter((d) => d.order);
    expect(withOrder).toHaveLength(20_000);
    const cancelled = withOrder.filter((d) => d.status === 'cancelled').length;
    expect(cancelled).toBeGreaterThan(900);
    expect(cancelled).toBeLessThan(1100);
    expect(withOrder.filter((d) => d.status === 'shipped').length).toBeGreaterThan(300);
    expect([...docs.values()].filter((d) => !d.order)).toHaveLength(10);
    const early = events.filter(
      (e, i) =>
        e.type === 'order.cancelled' &&
        events[i + 1]?.type === 'order.created' &&
        events[i + 1]?.id === `${e.data.orderId}.created`,
    );
    expect(early.length).toBeGreaterThan(50);
  });

  it('rejects a cancelled fraction outside 0..1, and a count of orders that is not a whole number', () => {
    expect(() => [...generateDay({ ...base, cancelled: 5 })]).toThrow(/fraction/);
    expect(() => [...generateDay({ ...base, orders: 2.5 })]).toThrow(/whole number/);
    expect([...generateDay({ ...base, orders: 0 })]).toEqual([]);
  });
});
