/**
 * The merchant's daily sales report email: per currency a table of the figures and the top products, and the
 * orders per hour of the store-day as a bar chart. `renderDailyReport` lays out the values of
 * daily-report-data.ts: the plain text here, the HTML in daily-report-html.ts.
 */
import type { DailyReportData, ProductRow } from './daily-report-data.ts';
import { renderDailyReportHtml } from './daily-report-html.ts';
import { layout, lines, type RenderedEmail } from './layout.ts';

export function renderDailyReport(d: DailyReportData): RenderedEmail {
  return { subject: d.subject, text: renderText(d), html: layout(d.subject, d.locale, renderDailyReportHtml(d)) };
}

const BAR_CHARS = 40;

function renderText(d: DailyReportData): string {
  const table = (rows: string[][], right: boolean[]) => {
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
    return rows.map(
      (r) =>
        '  ' +
        r
          .map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
    );
  };
  const products = (title: string, ps: ProductRow[]) =>
    ps.length
      ? [
          title,
          ...table(
            [
              ['#', 'Product', 'SKU', 'Units', 'Revenue'],
              ...ps.map((p) => [String(p.rank), p.name, p.sku, p.units, p.revenue]),
            ],
            [true, false, false, true, true],
          ),
          '',
        ]
      : [];
  const width = Math.max(...d.hours.map((h) => h.label.length));
  const countWidth = Math.max(...d.hours.map((h) => h.count.length));
  return lines(
    `Sales on ${d.dayLabel} (${d.timeZone})`,
    `Orders: ${d.orderCount} (cancelled ones included)`,
    '',
    ...(d.currencies.length ? [] : ['No orders that day.', '']),
    ...d.currencies.flatMap((c) => [
      `== ${c.currency} ==`,
      ...table(
        c.figures.map((f) => [f.label, f.value]),
        [false, true],
      ),
      '',
      ...products(`Top products by revenue (${c.currency})`, c.topByRevenue),
      ...products(`Top products by units (${c.currency})`, c.topByUnits),
    ]),
    'Orders per hour (store time)',
    ...d.hours.map((h) =>
      `  ${h.label.padEnd(width)} ${'#'.repeat(Math.round((h.percent * BAR_CHARS) / 100)).padEnd(BAR_CHARS)} ${h.count.padStart(countWidth)}`.trimEnd(),
    ),
  );
}
