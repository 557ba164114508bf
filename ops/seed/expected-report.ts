/**
 * The daily report computed the plain way, to check aggregate-orders against: read every stored order once, keep
 * plain maps, sort at the end. It shares no code with aggregate-orders beyond types, on purpose.
 *
 * Decisions where the contract (shared/schemas/report.ts) leaves room:
 * - an order belongs to the day when `from ≤ Date.parse(order.createdAt) < to` (its own `createdAt`, not the
 *   stored Timestamp field, which is derived from it); its hour is ⌊(createdAt − from) / 1 h⌋;
 * - "cancelled" is `status === 'cancelled'` on the document; `shipped` counts as not cancelled;
 * - documents without `order` (a cancellation whose order never arrived) are skipped entirely;
 * - `gross` = Σ `order.total` (so subtotal + shipping + tax − discount) over orders not cancelled;
 *   `discount` = Σ (`order.discount` ?? 0); `units` = Σ line quantities; `cancelledValue` = Σ `total` of cancelled;
 * - `from`/`to` are `Date#toISOString()` (`2026-11-21T23:00:00.000Z`); `ordersByHour[].start` is the local wall time
 *   with the offset of that instant, to the second (`2026-03-29T03:00:00+02:00`, `+00:00` for UTC);
 * - a currency appears when it has an order that day, cancelled or not; its keys are sorted by code;
 * - a product's `name` is the lexicographically smallest (`<` on strings) of its line names over all the day's
 *   orders not cancelled (the orders the top lists are over);
 * - top lists: revenue desc then sku asc; units desc then sku asc (sku compared with `<`); at most 10.
 */
import type { CurrencyFigures, Report, ReportProduct } from '../../shared/schemas/report.ts';
import type { OrderDoc } from '../../shared/orders.ts';
import { storeHours, storeDay } from './zone.ts';

const HOUR_MS = 3_600_000;

interface Totals {
  orders: number;
  gross: number;
  subtotal: number;
  discount: number;
  tax: number;
  shipping: number;
  units: number;
  cancelledOrders: number;
  cancelledValue: number;
  products: Map<string, ReportProduct>;
}

export function expectedReport(
  orders: Iterable<OrderDoc>,
  o: { day: string; timeZone: string; generatedAt: string },
): Report {
  const { from, to, hours } = storeDay(o.day, o.timeZone);
  const byHour = new Array<number>(hours).fill(0);
  const byCurrency = new Map<string, Totals>();
  let orderCount = 0;

  for (const doc of orders) {
    const order = doc.order;
    if (!order) continue;
    const at = Date.parse(order.createdAt);
    if (!(at >= from && at < to)) continue;
    orderCount++;
    byHour[Math.floor((at - from) / HOUR_MS)]! += 1;
    let t = byCurrency.get(order.currency);
    if (!t) {
      t = {
        orders: 0,
        gross: 0,
        subtotal: 0,
        discount: 0,
        tax: 0,
        shipping: 0,
        units: 0,
        cancelledOrders: 0,
        cancelledValue: 0,
        products: new Map(),
      };
      byCurrency.set(order.currency, t);
    }
    if (doc.status === 'cancelled') {
      t.cancelledOrders++;
      t.cancelledValue += order.total;
      continue;
    }
    t.orders++;
    t.gross += order.total;
    t.subtotal += order.subtotal;
    t.discount += order.discount ?? 0;
    t.tax += order.tax;
    t.shipping += order.shipping;
    for (const line of order.lines) {
      t.units += line.quantity;
      const p = t.products.get(line.sku) ?? { sku: line.sku, name: line.name, units: 0, revenue: 0 };
      p.units += line.quantity;
      p.revenue += line.quantity * line.unitPrice;
      if (line.name < p.name) p.name = line.name;
      t.products.set(line.sku, p);
    }
  }

  const currencies: Record<string, CurrencyFigures> = {};
  for (const code of [...byCurrency.keys()].sort()) {
    const { products, ...t } = byCurrency.get(code)!;
    const all = [...products.values()];
    currencies[code] = {
      orders: t.orders,
      gross: t.gross,
      subtotal: t.subtotal,
      discount: t.discount,
      tax: t.tax,
      shipping: t.shipping,
      units: t.units,
      averageOrderValue: t.orders ? Math.round(t.gross / t.orders) : 0,
      cancelledOrders: t.cancelledOrders,
      cancelledValue: t.cancelledValue,
      topByRevenue: top(all, (a, b) => b.revenue - a.revenue),
      topByUnits: top(all, (a, b) => b.units - a.units),
    };
  }

  return {
    day: o.day,
    timeZone: o.timeZone,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    hours,
    generatedAt: o.generatedAt,
    orderCount,
    currencies,
    ordersByHour: storeHours(o.day, o.timeZone).map((h, i) => ({ start: h.start, orders: byHour[i]! })),
  };
}

function top(products: ReportProduct[], by: (a: ReportProduct, b: ReportProduct) => number): ReportProduct[] {
  const bySku = (a: ReportProduct, b: ReportProduct) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);
  return [...products]
    .sort((a, b) => by(a, b) || bySku(a, b))
    .slice(0, 10)
    .map((p) => ({ ...p }));
}
