/**
 * The running totals of daily-report aggregation: what one page of orders adds, how parts of a day merge, and
 * the report built from the merged totals. Pure; holds per currency a handful of sums and per sku three numbers.
 */
import type { Order } from './schemas/events.ts';
import type { CurrencyFigures, Report, ReportProduct } from './schemas/report.ts';
import { localTimestamp, shardBounds, type StoreDay } from './store-time.ts';

/** The figures of one currency that are plain sums. */
export interface Sums {
  orders: number;
  gross: number;
  subtotal: number;
  discount: number;
  tax: number;
  shipping: number;
  units: number;
  cancelledOrders: number;
  cancelledValue: number;
}

/** One sku in one currency: units, revenue (Σ quantity × unitPrice) and the smallest line name. */
export interface SkuTotal {
  name: string;
  units: number;
  revenue: number;
}

export interface CurrencyTotals {
  sums: Sums;
  skus: Map<string, SkuTotal>;
}

/** Totals of a set of orders (a page, a step, a shard, a day). */
export interface Totals {
  /** Orders counted, cancelled included. */
  orderCount: number;
  currencies: Map<string, CurrencyTotals>;
}

/** The fields of a stored order that aggregation reads (the Firestore query selects only these). */
export interface OrderFigures {
  status: string;
  order: Pick<Order, 'currency' | 'subtotal' | 'discount' | 'tax' | 'shipping' | 'total' | 'lines'>;
}
export const ORDER_FIELDS = [
  'status',
  'order.currency',
  'order.subtotal',
  'order.discount',
  'order.tax',
  'order.shipping',
  'order.total',
  'order.lines',
];

export const emptySums = (): Sums => ({
  orders: 0,
  gross: 0,
  subtotal: 0,
  discount: 0,
  tax: 0,
  shipping: 0,
  units: 0,
  cancelledOrders: 0,
  cancelledValue: 0,
});
export const emptyTotals = (): Totals => ({ orderCount: 0, currencies: new Map() });

function currency(t: Totals, code: string): CurrencyTotals {
  let c = t.currencies.get(code);
  if (!c) t.currencies.set(code, (c = { sums: emptySums(), skus: new Map() }));
  return c;
}

/** Adds a sku's figures, keeping the lexicographically smallest name. */
export function addSku(skus: Map<string, SkuTotal>, sku: string, add: SkuTotal): void {
  const s = skus.get(sku);
  if (!s) skus.set(sku, { ...add });
  else {
    s.units += add.units;
    s.revenue += add.revenue;
    if (add.name < s.name) s.name = add.name;
  }
}

/** Counts one stored order: cancelled (its stored status) or not; shipped counts as not cancelled. */
export function addOrder(t: Totals, doc: OrderFigures): void {
  const o = doc.order;
  const c = currency(t, o.currency);
  t.orderCount++;
  if (doc.status === 'cancelled') {
    c.sums.cancelledOrders++;
    c.sums.cancelledValue += o.total;
    return;
  }
  const s = c.sums;
  s.orders++;
  s.gross += o.total;
  s.subtotal += o.subtotal;
  s.discount += o.discount ?? 0;
  s.tax += o.tax;
  s.shipping += o.shipping;
  for (const l of o.lines) {
    s.units += l.quantity;
    addSku(c.skus, l.sku, { name: l.name, units: l.quantity, revenue: l.quantity * l.unitPrice });
  }
}

/** Adds `part` into `into`. */
export function mergeTotals(into: Totals, part: Totals): void {
  into.orderCount += part.orderCount;
  for (const [code, p] of part.currencies) {
    const c = currency(into, code);
    for (const k of Object.keys(p.sums) as (keyof Sums)[]) c.sums[k] += p.sums[k];
    for (const [sku, s] of p.skus) addSku(c.skus, sku, s);
  }
}

const bySku = (a: ReportProduct, b: ReportProduct) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

/** The first 10 by `key` descending, ties by sku ascending, in one pass (no sort of every sku). */
export function top10(skus: Map<string, SkuTotal>, key: 'revenue' | 'units'): ReportProduct[] {
  const best: ReportProduct[] = [];
  const before = (a: ReportProduct, b: ReportProduct) => a[key] > b[key] || (a[key] === b[key] && bySku(a, b) < 0);
  for (const [sku, s] of skus) {
    const p = { sku, name: s.name, units: s.units, revenue: s.revenue };
    if (best.length === 10 && !before(p, best[9]!)) continue;
    let i = best.length;
    while (i > 0 && before(p, best[i - 1]!)) i--;
    best.splice(i, 0, p);
    if (best.length > 10) best.pop();
  }
  return best;
}

/** The report of a day from its merged totals and each hour's order count. */
export function buildReport(d: StoreDay, t: Totals, ordersByHour: number[], generatedAt: Date): Report {
  const currencies: Record<string, CurrencyFigures> = {};
  for (const code of [...t.currencies.keys()].sort()) {
    const { sums, skus } = t.currencies.get(code)!;
    currencies[code] = {
      ...sums,
      averageOrderValue: sums.orders ? Math.round(sums.gross / sums.orders) : 0,
      topByRevenue: top10(skus, 'revenue'),
      topByUnits: top10(skus, 'units'),
    };
  }
  return {
    day: d.day,
    timeZone: d.timeZone,
    from: new Date(d.from).toISOString(),
    to: new Date(d.to).toISOString(),
    hours: d.hours,
    generatedAt: generatedAt.toISOString(),
    orderCount: t.orderCount,
    currencies,
    ordersByHour: Array.from({ length: d.hours }, (_, i) => ({
      start: localTimestamp(shardBounds(d, i).start, d.timeZone),
      orders: ordersByHour[i] ?? 0,
    })),
  };
}
