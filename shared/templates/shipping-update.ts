/** "Your order #1001 has shipped": carrier, tracking number and link. */
import type { Order, Shipment } from '../schemas/events.ts';
import { DEFAULT_LOCALE, formatDateTime, oneLine } from './format.ts';
import { html } from './html.ts';
import { greeting, layout, lines, type RenderedEmail } from './layout.ts';

export interface ShippingUpdateData {
  kind: 'shipping-update';
  subject: string;
  orderNumber: string;
  customerName: string | undefined;
  locale: string;
  carrier: string;
  trackingNumber: string;
  trackingUrl: string | undefined;
  shippedAt: string;
}

export function shippingUpdateData(shipment: Shipment, order: Order): ShippingUpdateData {
  const locale = order.locale ?? DEFAULT_LOCALE;
  return {
    kind: 'shipping-update',
    subject: oneLine(`Your order #${order.number} has shipped`),
    orderNumber: order.number,
    customerName: order.customer.name,
    locale,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    trackingUrl: shipment.trackingUrl,
    shippedAt: formatDateTime(shipment.shippedAt, locale),
  };
}

export function renderShippingUpdate(d: ShippingUpdateData): RenderedEmail {
  const text = lines(
    greeting(d.customerName),
    '',
    `Good news: your order #${d.orderNumber} shipped on ${d.shippedAt} with ${d.carrier}.`,
    `Tracking number: ${d.trackingNumber}`,
    d.trackingUrl !== undefined && `Track it here: ${d.trackingUrl}`,
  );
  const body = html`<p>${greeting(d.customerName)}</p>
<p>Good news: your order <strong>#${d.orderNumber}</strong> shipped on ${d.shippedAt} with ${d.carrier}.</p>
<p>Tracking number: <strong>${d.trackingNumber}</strong></p>
${d.trackingUrl !== undefined && html`<p><a href="${d.trackingUrl}">Track your package</a></p>`}`;
  return { subject: d.subject, text, html: layout(d.subject, d.locale, body) };
}
