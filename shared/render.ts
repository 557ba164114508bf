/**
 * Turns a notification payload into an email: our own templates (`renderNotification`) or the data for a SendGrid
 * dynamic template (`templateDataFor`). Both start from the same formatted, plain view of the payload, so the two
 * paths show the same numbers. Shipping and cancellation emails need the stored order.
 */
import type { Recipient } from './mail.ts';
import type { Order } from './schemas/events.ts';
import { storedOrderIdOf, type NotificationPayload } from './schemas/notifications.ts';
import { renderDailyReport } from './templates/daily-report.ts';
import { dailyReportData, type DailyReportData } from './templates/daily-report-data.ts';
import type { RenderedEmail } from './templates/layout.ts';
import { orderCancelledData, renderOrderCancelled, type OrderCancelledData } from './templates/order-cancelled.ts';
import {
  orderConfirmationData,
  renderOrderConfirmation,
  type OrderConfirmationData,
} from './templates/order-confirmation.ts';
import { renderShippingUpdate, shippingUpdateData, type ShippingUpdateData } from './templates/shipping-update.ts';

export type { RenderedEmail } from './templates/layout.ts';

/** The plain values an email shows, already formatted for the reader's locale: no HTML anywhere. */
export type TemplateData = OrderConfirmationData | ShippingUpdateData | OrderCancelledData | DailyReportData;

/**
 * The formatted values of `payload`: what a SendGrid dynamic template gets as `dynamicTemplateData` (the template
 * escapes them itself). `subject` is included for templates whose subject line is `{{subject}}`.
 * @throws TypeError when a shipping-update or order-cancelled payload comes without its `order` (or another one).
 */
export function templateDataFor(payload: NotificationPayload, order?: Order): TemplateData {
  switch (payload.kind) {
    case 'order-confirmation':
      return orderConfirmationData(payload.order);
    case 'shipping-update':
      return shippingUpdateData(payload.shipment, requireOrder(payload.kind, order, payload.shipment.orderId));
    case 'order-cancelled':
      return orderCancelledData(payload.cancellation, requireOrder(payload.kind, order, payload.cancellation.orderId));
    case 'daily-report':
      return dailyReportData(payload);
  }
}

/**
 * Renders `payload` with our own templates: subject, plain text and HTML (customer data escaped).
 * @throws TypeError when a shipping-update or order-cancelled payload comes without its `order` (or another one).
 */
export function renderNotification(payload: NotificationPayload, order?: Order): RenderedEmail {
  const data = templateDataFor(payload, order);
  switch (data.kind) {
    case 'order-confirmation':
      return renderOrderConfirmation(data);
    case 'shipping-update':
      return renderShippingUpdate(data);
    case 'order-cancelled':
      return renderOrderCancelled(data);
    case 'daily-report':
      return renderDailyReport(data);
  }
}

/**
 * Who gets the email: the order's customer (from the payload for a confirmation, from the stored order otherwise),
 * or the report's recipients.
 * @throws TypeError when a shipping-update or order-cancelled payload comes without its `order` (or another one).
 */
export function recipientFor(payload: NotificationPayload, order?: Order): Recipient | Recipient[] {
  if (payload.kind === 'daily-report') return payload.to.map((email) => ({ email }));
  const customer =
    payload.kind === 'order-confirmation'
      ? payload.order.customer
      : requireOrder(payload.kind, order, storedOrderIdOf(payload)).customer;
  return customer.name ? { email: customer.email, name: customer.name } : { email: customer.email };
}

function requireOrder(kind: string, order: Order | undefined, orderId: string | undefined): Order {
  // Programming errors, not data ones: the handler must load the stored order (and retry while it is missing).
  if (!order) throw new TypeError(`A ${kind} notification needs the stored order to render`);
  if (orderId !== undefined && order.id !== orderId) {
    throw new TypeError(`A ${kind} notification for order ${orderId} was given order ${order.id}`);
  }
  return order;
}
