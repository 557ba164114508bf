/**
 * A realistic, deterministic day of storefront events for seeding and for testing the daily report.
 *
 * For one seed the same events come out, in the same order. Each order is valid under the `Order` schema
 * (subtotal = Σ quantity × unitPrice, total = subtotal + shipping + tax − discount) and is created inside the
 * store-day `day` of `timeZone` (23 or 25 hours on daylight-saving days), with `createdAt` written in RFC 3339 with
 * the store's offset at that instant. What the stream holds:
 * - `order.created` for every order: SKUs from a catalogue of thousands with Zipf-like popularity, 1–8 lines, evening
 *   peak but every hour non-empty when `orders` ≥ 4 × hours; order 0 at exactly store midnight and the last one in
 *   the day's final second; currencies weighted toward the first one listed, each with its own locale, country, tax
 *   rate and minor units (JPY 0 digits, KWD 3); about 12% of orders carry a discount; shipping is free above a limit;
 * - `order.cancelled` for about `cancelled` (a fraction, 0..1) of them, one in ten emitted *before* its order;
 * - `order.shipped` for about 3% of the others (after their order);
 * - `orders / 2000` (rounded down) cancellations of orders that never arrive (stored as documents without `order`).
 * Customers are `shopperN@example.com` at made-up addresses.
 */
import type { Order, StorefrontEvent } from '../../shared/schemas/events.ts';
import { mulberry32 } from '../../shared/seeded-random.ts';
import { catalogue, market, pick, price, sampler, type Market } from './catalogue.ts';
import { localTimestamp, storeDay, wallClock } from './zone.ts';

export interface GenerateOptions {
  /** The store-day, `YYYY-MM-DD`. */
  day: string;
  /** The store's IANA time zone. */
  timeZone: string;
  orders: number;
  /** ISO 4217 codes; the first is the most used. */
  currencies: string[];
  /** The fraction of orders cancelled, 0..1. */
  cancelled: number;
  seed: number;
  /** Catalogue size. @default 3000 */
  skus?: number;
}

/** Relative order volume per local hour 0..23: quiet at night, a lunch bump, the peak in the evening. */
const HOURLY = [
  1.2, 0.7, 0.5, 0.4, 0.4, 0.6, 1.2, 2.2, 3, 3.4, 3.6, 3.8, 4.2, 4, 3.8, 3.8, 4, 4.6, 5.6, 6.8, 7.6, 7.2, 5.4, 3,
];
const FIRST = ['Alex', 'Sam', 'Kim', 'Yuki', 'Lena', 'Omar', 'Noor', 'Jonas', 'Marta', 'Chen', 'Ines', 'Ravi'];
const LAST = ['Example', 'Sample', 'Tester', 'Placeholder', 'Demo', 'Fictional'];
const CITIES = ['Springfield', 'Riverton', 'Lakeside', 'Hillview', 'Mapleton', 'Fairport'];
const MIN_MS = 60_000;
const HOUR_MS = 3_600_000;

export function* generateDay(o: GenerateOptions): Generator<StorefrontEvent> {
  if (!(o.cancelled >= 0 && o.cancelled <= 1)) throw new RangeError('cancelled must be a fraction between 0 and 1');
  if (!o.currencies.length) throw new RangeError('currencies must not be empty');
  if (!Number.isSafeInteger(o.orders) || o.orders < 0) throw new RangeError('orders must be a whole number, 0 or more');
  const rand = mulberry32(o.seed); // one seed, one sequence, everywhere
  const shop = catalogue(rand, o.skus ?? 3000);
  const markets = o.currencies.map(market);
  const marketOf = sampler(markets.map((_, k) => 1 / (k + 1) ** 1.5));
  const { from, to, hours } = storeDay(o.day, o.timeZone);
  const hourOf = sampler(
    Array.from(
      { length: hours },
      (_, h) => HOURLY[Number(wallClock(from + h * HOUR_MS, o.timeZone).time.slice(0, 2))] ?? 1,
    ),
  );
  const everyHour = o.orders >= 4 * hours;
  const prefix = `seed-${o.seed}-${o.day}`;

  for (let i = 0; i < o.orders; i++) {
    let ms: number;
    if (i === 0) ms = from;
    else if (i === o.orders - 1) ms = to - 1000;
    else ms = from + (everyHour && i < hours ? i : hourOf(rand)) * HOUR_MS + Math.floor(rand() * 3600) * 1000;
    const order = makeOrder(
      rand,
      `${prefix}-${String(i).padStart(7, '0')}`,
      i,
      localTimestamp(ms, o.timeZone),
      markets[marketOf(rand)] as Market,
      shop.sample,
      o.orders,
    );
    const cancel = rand() < o.cancelled;
    const cancelAt = localTimestamp(ms + (5 + Math.floor(rand() * 360)) * MIN_MS, o.timeZone);
    const cancellation: StorefrontEvent = {
      id: `${order.id}.cancelled`,
      type: 'order.cancelled',
      createdAt: cancelAt,
      data: {
        orderId: order.id,
        reason: pick(rand, ['customer request', 'payment failed', 'out of stock']),
        cancelledAt: cancelAt,
      },
    };
    const early = cancel && rand() < 0.1;
    if (early) yield cancellation;
    yield { id: `${order.id}.created`, type: 'order.created', createdAt: order.createdAt, data: { order } };
    if (cancel && !early) yield cancellation;
    if (!cancel && rand() < 0.03) {
      const shippedAt = localTimestamp(ms + (2 + Math.floor(rand() * 18)) * HOUR_MS, o.timeZone);
      yield {
        id: `${order.id}.shipped`,
        type: 'order.shipped',
        createdAt: shippedAt,
        data: {
          orderId: order.id,
          carrier: 'Example Parcel',
          trackingNumber: `EX${String(i).padStart(10, '0')}`,
          shippedAt,
        },
      };
    }
  }
  for (let k = 0; k < Math.floor(o.orders / 2000); k++) {
    const at = localTimestamp(from + Math.floor(rand() * (to - from)), o.timeZone);
    const orderId = `${prefix}-orphan-${k}`;
    yield {
      id: `${orderId}.cancelled`,
      type: 'order.cancelled',
      createdAt: at,
      data: { orderId, reason: 'never arrived', cancelledAt: at },
    };
  }
}

function makeOrder(
  rand: () => number,
  id: string,
  i: number,
  createdAt: string,
  m: Market,
  sample: (r: () => number) => { sku: string; name: string; basePrice: number },
  orders: number,
): Order {
  const lineCount = Math.min(8, 1 + Math.floor(Math.log(1 - rand()) / Math.log(0.45)));
  const lines: Order['lines'] = [];
  for (let tries = 0; lines.length < lineCount && tries < 20; tries++) {
    const s = sample(rand);
    if (lines.some((l) => l.sku === s.sku)) continue;
    const q = rand();
    const quantity = q < 0.7 ? 1 : q < 0.88 ? 2 : q < 0.95 ? 3 : 4 + Math.floor(rand() * 7);
    lines.push({ sku: s.sku, name: s.name, quantity, unitPrice: price(s.basePrice, m.rate, m.digits) });
  }
  const subtotal = lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
  const discount = rand() < 0.12 ? Math.round((subtotal * pick(rand, [10, 15, 20])) / 100) : 0;
  const shipping = subtotal >= m.freeShippingFrom ? 0 : m.shipping;
  const tax = Math.round((subtotal - discount) * m.taxRate);
  const customer = Math.floor(rand() * Math.max(1, orders * 0.7));
  const name = `${pick(rand, FIRST)} ${pick(rand, LAST)}`;
  return {
    id,
    number: `${createdAt.slice(0, 10).replaceAll('-', '')}-${i + 1}`,
    createdAt,
    currency: m.currency,
    locale: pick(rand, m.locales),
    customer: { email: `shopper${customer}@example.com`, name },
    lines,
    subtotal,
    shipping,
    tax,
    ...(discount ? { discount } : {}),
    total: subtotal + shipping + tax - discount,
    shippingAddress: {
      name,
      line1: `${1 + (customer % 200)} Example Street`,
      city: pick(rand, CITIES),
      postalCode: String(10_000 + (customer % 89_999)),
      country: m.country,
    },
  };
}
