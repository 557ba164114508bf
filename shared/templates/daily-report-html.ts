/**
 * The HTML body of the daily report. Mail clients differ: Gmail strips SVG and `<style>`, Outlook renders with
 * Word. So everything is tables with inline styles, `bgcolor`/`width` attributes as well as CSS, and the chart is
 * a table whose bars are cells of a percentage width with a background colour (no images, no classes).
 */
import type { CurrencySection, DailyReportData, HourBar, ProductRow } from './daily-report-data.ts';
import { html, type SafeHtml } from './html.ts';

const BAR = '#3b6fd4';
const MUTED = '#666666';
const CELL = 'padding:4px 8px;border-bottom:1px solid #eeeeee';
const NUM = `${CELL};text-align:right;white-space:nowrap`;

export function renderDailyReportHtml(d: DailyReportData): SafeHtml {
  return html`<h1 style="font-size:20px;margin:0 0 4px">Sales on ${d.dayLabel}</h1>
<p style="margin:0 0 16px;color:${MUTED}">Store time zone ${d.timeZone} · ${d.orderCount} orders (cancelled ones included)</p>
${d.currencies.length ? d.currencies.map(currencySection) : html`<p>No orders that day.</p>`}
<h2 style="font-size:16px;margin:24px 0 8px">Orders per hour (store time)</h2>
${chart(d.hours)}`;
}

function currencySection(c: CurrencySection): SafeHtml {
  return html`<h2 style="font-size:16px;margin:24px 0 8px">${c.currency}</h2>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;font-size:14px">
${c.figures.map(
  (f) => html`<tr><td style="${CELL}">${f.label}</td><td style="${NUM}">${f.value}</td></tr>
`,
)}</table>
${products(`Top products by revenue (${c.currency})`, c.topByRevenue)}
${products(`Top products by units (${c.currency})`, c.topByUnits)}`;
}

function products(title: string, rows: ProductRow[]): SafeHtml | undefined {
  if (!rows.length) return undefined;
  return html`<h3 style="font-size:14px;margin:16px 0 4px">${title}</h3>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;font-size:13px">
<tr><th style="${NUM}">#</th><th style="${CELL};text-align:left">Product</th><th style="${NUM}">Units</th><th style="${NUM}">Revenue</th></tr>
${rows.map(
  (
    p,
  ) => html`<tr><td style="${NUM}">${p.rank}</td><td style="${CELL}">${p.name}<br><span style="color:${MUTED};font-size:11px">${p.sku}</span></td><td style="${NUM}">${p.units}</td><td style="${NUM}">${p.revenue}</td></tr>
`,
)}</table>`;
}

function chart(hours: HourBar[]): SafeHtml {
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;font-size:12px">
${hours.map(
  (
    h,
  ) => html`<tr><td width="90" style="width:90px;padding:1px 8px 1px 0;white-space:nowrap;color:${MUTED}">${h.label}</td><td style="padding:1px 0">${bar(h.percent)}</td><td width="50" style="width:50px;padding:1px 0 1px 8px;text-align:right;white-space:nowrap">${h.count}</td></tr>
`,
)}</table>`;
}

/** A bar `percent` wide: a one-row table with a coloured cell (and an empty one for the rest). */
function bar(percent: number): SafeHtml {
  if (!percent) return html`&nbsp;`;
  const rest =
    percent < 100
      ? html`<td width="${100 - percent}%" style="width:${100 - percent}%;font-size:0;line-height:0">&nbsp;</td>`
      : undefined;
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse"><tr><td width="${percent}%" bgcolor="${BAR}" style="width:${percent}%;background-color:${BAR};height:12px;font-size:0;line-height:0">&nbsp;</td>${rest}</tr></table>`;
}
