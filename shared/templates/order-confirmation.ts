/** "Your order #1001 is confirmed": the order's lines, totals and shipping address. */
import type { Order } from '../schemas/events.ts';
import { oneLine } from './format.ts';
import { html } from './html.ts';
import { greeting, layout, lines, type RenderedEmail } from './layout.ts';
import { itemsTable, itemsText, orderView, type OrderView } from './order-view.ts';

export type OrderConfirmationData = OrderView & { kind: 'order-confirmation'; subject: string };

export function orderConfirmationData(order: Order): OrderConfirmationData {
  const view = orderView(order);
  return { kind: 'order-confirmation', subject: oneLine(`Your order #${view.orderNumber} is confirmed`), ...view };
}

export function renderOrderConfirmation(d: OrderConfirmationData): RenderedEmail {
  const address = d.shippingAddress && [d.shippingAddress.name, ...d.shippingAddress.lines].filter(Boolean);
  const text = lines(
    greeting(d.customerName),
    '',
    `Thank you for your order #${d.orderNumber}, placed on ${d.orderDate}. Here is what you ordered:`,
    '',
    itemsText(d),
    '',
    ...(address
      ? ['It will be shipped to:', ...address.map((l) => `  ${l}`), '', "We'll email you again when it ships."]
      : ['Nothing in it needs shipping.']),
  );
  const body = html`<p>${greeting(d.customerName)}</p>
<p>Thank you for your order <strong>#${d.orderNumber}</strong>, placed on ${d.orderDate}. Here is what you ordered:</p>
${itemsTable(d)}
${
  address
    ? html`<p>It will be shipped to:<br>${address.map((l, i) => html`${i ? html`<br>` : ''}${l}`)}</p>
<p>We'll email you again when it ships.</p>`
    : html`<p>Nothing in it needs shipping.</p>`
}`;
  return { subject: d.subject, text, html: layout(d.subject, d.locale, body) };
}
