/**
 * The merchant's daily sales report email: per currency a table of the figures and the top products, and the
 * orders per hour of the store-day as a bar chart. `dailyReportData` formats (locale-correct money, counts, hour
 * labels); `renderDailyReport` lays out the plain text here and the HTML in daily-report-html.ts.
 */
import type { z } from 'zod';
import type { DailyReport } from '../schemas/notifications.ts';
import type { ReportProduct } from '../schemas/report.ts';
import { renderDailyReportHtml } from './daily-report-html.ts';
import { DEFAULT_LOCALE, formatDay, formatMoney } from './format.ts';
import { layout, lines, type RenderedEmail } from './layout.ts';

export interface ProductRow { rank: number; sku: string; name: string; units: string; revenue: string }

export interface CurrencySection {
  currency: string;
  /** Label and formatted value, in display order. */
  figures: Array<{ label: string; value: string }>;
  topByRevenue: ProductRow[];
  topByUnits: ProductRow[];
}

export interface HourBar {
  /** `14:00`, with the offset on days that have two (`02:00 +01:00`). */
  label: string;
  orders: number;
  /** `orders` in the locale's digits and separators. */
  count: string;
  /** Bar length, 0–100 (% of the busiest hour); at least 1 when there are orders. */
  percent: number;
}

export interface DailyReportData {
  kind: 'daily-report';
  subject: string;
  day: string;
  dayLabel: string;
  locale: string;
  timeZone: string;
  orderCount: string;
  currencies: CurrencySection[];
  hours: HourBar[];
}

export function dailyReportData(payload: z.infer<typeof DailyReport>): DailyReportData {
  const { report } = payload;
  const locale = payload.locale ?? DEFAULT_LOCALE;
  const count = new Intl.NumberFormat(locale);
  const dayLabel = formatDay(report.day, locale);
  const currencies = Object.keys(report.currencies).sort().map((currency): CurrencySection => {
    const c = report.currencies[currency]!;
    const money = (minor: number) => formatMoney(minor, currency, locale);
    const rows = (ps: ReportProduct[]) => ps.map((p, i) => ({ rank: i + 1, sku: p.sku, name: p.name, units: count.format(p.units), revenue: money(p.revenue) }));
    return {
      currency,
      figures: [
        { label: 'Orders', value: count.format(c.orders) },
        { label: 'Gross sales', value: money(c.gross) },
        { label: 'Average order value', value: money(c.averageOrderValue) },
        { label: 'Subtotal', value: money(c.subtotal) },
        { label: 'Discounts', value: money(c.discount) },
        { label: 'Tax', value: money(c.tax) },
        { label: 'Shipping', value: money(c.shipping) },
        { label: 'Units sold', value: count.format(c.units) },
        { label: 'Cancelled orders', value: count.format(c.cancelledOrders) },
        { label: 'Cancelled value', value: money(c.cancelledValue) },
      ],
      topByRevenue: rows(c.topByRevenue),
      topByUnits: rows(c.topByUnits),
    };
  });
  const peak = Math.max(0, ...report.ordersByHour.map((h) => h.orders));
  const twoOffsets = new Set(report.ordersByHour.map((h) => h.start.slice(19))).size > 1;
  const hours = report.ordersByHour.map((h) => ({
    label: twoOffsets ? `${h.start.slice(11, 16)} ${h.start.slice(19).replace('Z', '+00:00')}` : h.start.slice(11, 16),
    orders: h.orders,
    count: count.format(h.orders),
    percent: h.orders ? Math.max(1, Math.round((h.orders / peak) * 100)) : 0,
  }));
  return {
    kind: 'daily-report',
    subject: `Daily sales report for ${dayLabel}`,
    day: report.day,
    dayLabel,
    locale,
    timeZone: report.timeZone,
    orderCount: count.format(report.orderCount),
    currencies,
    hours,
  };
}

export function renderDailyReport(d: DailyReportData): RenderedEmail {
  return { subject: d.subject, text: renderText(d), html: layout(d.subject, d.locale, renderDailyReportHtml(d)) };
}

const BAR_CHARS = 40;

function renderText(d: DailyReportData): string {
  const table = (rows: string[][], right: boolean[]) => {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
    return rows.map((r) => '  ' + r.map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  };
  const products = (title: string, ps: ProductRow[]) =>
    ps.length ? [title, ...table([['#', 'Product', 'SKU', 'Units', 'Revenue'], ...ps.map((p) => [String(p.rank), p.name, p.sku, p.units, p.revenue])], [true, false, false, true, true]), ''] : [];
  const width = Math.max(...d.hours.map((h) => h.label.length));
  const countWidth = Math.max(...d.hours.map((h) => h.count.length));
  return lines(
    `Sales on ${d.dayLabel} (${d.timeZone})`,
    `Orders: ${d.orderCount} (cancelled ones included)`,
    '',
    ...(d.currencies.length ? [] : ['No orders that day.', '']),
    ...d.currencies.flatMap((c) => [
      `== ${c.currency} ==`,
      ...table(c.figures.map((f) => [f.label, f.value]), [false, true]),
      '',
      ...products(`Top products by revenue (${c.currency})`, c.topByRevenue),
      ...products(`Top products by units (${c.currency})`, c.topByUnits),
    ]),
    'Orders per hour (store time)',
    ...d.hours.map((h) => `  ${h.label.padEnd(width)} ${'#'.repeat(Math.round((h.percent * BAR_CHARS) / 100)).padEnd(BAR_CHARS)} ${h.count.padStart(countWidth)}`.trimEnd()),
  );
}
