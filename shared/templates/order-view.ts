/** The plain, formatted view of an order that every order email (and every dynamic template) uses. */
import type { Address, Order } from '../schemas/events.ts';
import { html, type SafeHtml } from './html.ts';
import { DEFAULT_LOCALE, formatDateTime, formatMoney } from './format.ts';

export interface OrderView {
  orderNumber: string;
  customerName: string | undefined;
  orderDate: string;
  locale: string;
  currency: string;
  items: Array<{ name: string; sku: string; quantity: number; unitPrice: string; lineTotal: string }>;
  subtotal: string;
  shipping: string;
  tax: string;
  discount: string | undefined;
  total: string;
  /** Tax already inside the prices (tax-inclusive shops), shown under the total. */
  taxIncluded: string | undefined;
  /** Absent for an order that ships nothing. */
  shippingAddress: { name: string; lines: string[] } | undefined;
}

/** Formats `order` in its own locale (or en-US) and currency. */
export function orderView(order: Order): OrderView {
  const locale = order.locale ?? DEFAULT_LOCALE;
  const money = (minor: number): string => formatMoney(minor, order.currency, locale);
  return {
    orderNumber: order.number,
    customerName: order.customer.name,
    orderDate: formatDateTime(order.createdAt, locale),
    locale,
    currency: order.currency,
    items: order.lines.map((l) => ({
      name: l.name,
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: money(l.unitPrice),
      lineTotal: money(l.unitPrice * l.quantity),
    })),
    subtotal: money(order.subtotal),
    shipping: money(order.shipping),
    tax: money(order.tax),
    discount: order.discount ? money(order.discount) : undefined,
    total: money(order.total),
    taxIncluded: order.taxIncluded ? money(order.taxIncluded) : undefined,
    shippingAddress: order.shippingAddress && addressView(order.shippingAddress, locale),
  };
}

function addressView(a: Address, locale: string): { name: string; lines: string[] } {
  const country = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' }).of(a.country) ?? a.country;
  const lines = [a.line1, a.line2, [a.postalCode, a.city, a.region].filter(Boolean).join(' '), country];
  return { name: a.name, lines: lines.filter((x): x is string => Boolean(x)) };
}

/** The order's lines and totals as an HTML table. */
export function itemsTable(v: OrderView): SafeHtml {
  const row = (label: string, value: string, strong = false): SafeHtml =>
    html`<tr><td colspan="2" style="padding:4px 0">${strong ? html`<strong>${label}</strong>` : label}</td><td style="text-align:right;padding:4px 0">${strong ? html`<strong>${value}</strong>` : value}</td></tr>`;
  return html`<table style="width:100%;border-collapse:collapse">
${v.items.map(
  (
    i,
  ) => html`<tr><td style="padding:4px 0">${i.name}</td><td style="padding:4px 8px">× ${i.quantity}</td><td style="text-align:right;padding:4px 0">${i.lineTotal}</td></tr>
`,
)}${row('Subtotal', v.subtotal)}${row('Shipping', v.shipping)}${row('Tax', v.tax)}${v.discount ? row('Discount', `−${v.discount}`) : ''}${row('Total', v.total, true)}${v.taxIncluded ? row('Including tax', v.taxIncluded) : ''}
</table>`;
}

/** The order's lines and totals as plain text. */
export function itemsText(v: OrderView): string {
  return [
    ...v.items.map((i) => `  ${i.quantity} × ${i.name} (${i.sku})  ${i.lineTotal}`),
    '',
    `  Subtotal  ${v.subtotal}`,
    `  Shipping  ${v.shipping}`,
    `  Tax       ${v.tax}`,
    ...(v.discount ? [`  Discount  −${v.discount}`] : []),
    `  Total     ${v.total}`,
    ...(v.taxIncluded ? [`  Including tax ${v.taxIncluded}`] : []),
  ].join('\n');
}
