/** "Daily sales report for 2026-11-23": orders, revenue and cancellations per currency, for the merchant. */
import type { DailyReport } from '../schemas/notifications.ts';
import { DEFAULT_LOCALE, formatDay, formatMoney } from './format.ts';
import { html } from './html.ts';
import { layout, lines, type RenderedEmail } from './layout.ts';
import type { z } from 'zod';

export interface DailyReportData {
  kind: 'daily-report';
  subject: string;
  day: string;
  dayLabel: string;
  locale: string;
  timeZone: string | undefined;
  orderCount: number;
  totals: Array<{ currency: string; orders: number; revenue: string; cancelled: number }>;
}

export function dailyReportData(report: z.infer<typeof DailyReport>): DailyReportData {
  const locale = report.locale ?? DEFAULT_LOCALE;
  return {
    kind: 'daily-report',
    subject: `Daily sales report for ${report.day}`,
    day: report.day,
    dayLabel: formatDay(report.day, locale),
    locale,
    timeZone: report.timeZone,
    orderCount: report.orderCount,
    totals: report.totals.map((t) => ({ ...t, revenue: formatMoney(t.revenue, t.currency, locale) })),
  };
}

export function renderDailyReport(d: DailyReportData): RenderedEmail {
  const zone = d.timeZone ? ` (${d.timeZone})` : '';
  const text = lines(
    `Sales on ${d.dayLabel}${zone}`,
    '',
    `Orders: ${d.orderCount}`,
    ...(d.totals.length
      ? d.totals.map((t) => `  ${t.currency}: ${t.orders} orders, ${t.revenue} revenue, ${t.cancelled} cancelled`)
      : ['  No sales.']),
  );
  const body = html`<h1 style="font-size:20px">Sales on ${d.dayLabel}${zone}</h1>
<p>Orders: <strong>${d.orderCount}</strong></p>
${d.totals.length
    ? html`<table style="width:100%;border-collapse:collapse">
<tr><th style="text-align:left">Currency</th><th style="text-align:right">Orders</th><th style="text-align:right">Revenue</th><th style="text-align:right">Cancelled</th></tr>
${d.totals.map((t) => html`<tr><td>${t.currency}</td><td style="text-align:right">${t.orders}</td><td style="text-align:right">${t.revenue}</td><td style="text-align:right">${t.cancelled}</td></tr>
`)}</table>`
    : html`<p>No sales.</p>`}`;
  return { subject: d.subject, text, html: layout(d.subject, d.locale, body) };
}
