/** "Your order #1001 was cancelled": when, why, and the amount concerned. */
import type { Cancellation, Order } from '../schemas/events.ts';
import { DEFAULT_LOCALE, formatDateTime, formatMoney, oneLine } from './format.ts';
import { html } from './html.ts';
import { greeting, layout, lines, type RenderedEmail } from './layout.ts';

export interface OrderCancelledData {
  kind: 'order-cancelled';
  subject: string;
  orderNumber: string;
  customerName: string | undefined;
  locale: string;
  reason: string | undefined;
  cancelledAt: string;
  total: string;
}

export function orderCancelledData(cancellation: Cancellation, order: Order): OrderCancelledData {
  const locale = order.locale ?? DEFAULT_LOCALE;
  return {
    kind: 'order-cancelled',
    subject: oneLine(`Your order #${order.number} was cancelled`),
    orderNumber: order.number,
    customerName: order.customer.name,
    locale,
    reason: cancellation.reason,
    cancelledAt: formatDateTime(cancellation.cancelledAt, locale),
    total: formatMoney(order.total, order.currency, locale),
  };
}

export function renderOrderCancelled(d: OrderCancelledData): RenderedEmail {
  const text = lines(
    greeting(d.customerName),
    '',
    `Your order #${d.orderNumber} (${d.total}) was cancelled on ${d.cancelledAt}.`,
    d.reason !== undefined && `Reason: ${d.reason}`,
    '',
    'If you already paid, the amount will be refunded to your original payment method.',
  );
  const body = html`<p>${greeting(d.customerName)}</p>
<p>Your order <strong>#${d.orderNumber}</strong> (${d.total}) was cancelled on ${d.cancelledAt}.</p>
${d.reason !== undefined && html`<p>Reason: ${d.reason}</p>`}
<p>If you already paid, the amount will be refunded to your original payment method.</p>`;
  return { subject: d.subject, text, html: layout(d.subject, d.locale, body) };
}
