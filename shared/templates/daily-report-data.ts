/**
 * The daily sales report email's values, formatted for the merchant's locale (money, counts, the day, hour labels):
 * what the text and HTML layouts (daily-report.ts, daily-report-html.ts) and a SendGrid dynamic template show.
 */
import type { z } from 'zod';
import type { DailyReport } from '../schemas/notifications.ts';
import type { ReportProduct } from '../schemas/report.ts';
import { DEFAULT_LOCALE, formatDay, formatMoney } from './format.ts';

export interface ProductRow {
  rank: number;
  sku: string;
  name: string;
  units: string;
  revenue: string;
}

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
  const currencies = Object.keys(report.currencies)
    .sort()
    .map((currency): CurrencySection => {
      const c = report.currencies[currency]!;
      const money = (minor: number) => formatMoney(minor, currency, locale);
      const rows = (ps: ReportProduct[]) =>
        ps.map((p, i) => ({
          rank: i + 1,
          sku: p.sku,
          name: p.name,
          units: count.format(p.units),
          revenue: money(p.revenue),
        }));
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
