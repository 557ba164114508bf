/**
 * Payloads of the `notifications` queue, validated by the enqueuing side and again by `send-notification`.
 * `idempotencyKey` identifies the email: one key, at most one email sent.
 */
import { z } from 'zod';
import { Cancellation, Order, Shipment } from './events.ts';
import { Email, Locale } from './money.ts';
import { Report } from './report.ts';

const Key = z.string().min(1).max(500);

export const OrderConfirmation = z.object({
  kind: z.literal('order-confirmation'),
  idempotencyKey: Key,
  eventId: z.string().min(1),
  order: Order,
});

export const ShippingUpdate = z.object({
  kind: z.literal('shipping-update'),
  idempotencyKey: Key,
  eventId: z.string().min(1),
  shipment: Shipment,
});

export const OrderCancelled = z.object({
  kind: z.literal('order-cancelled'),
  idempotencyKey: Key,
  eventId: z.string().min(1),
  cancellation: Cancellation,
});

/** A merchant's daily sales report (enqueued by aggregate-orders' combine step), to everyone in `to`. */
export const DailyReport = z.object({
  kind: z.literal('daily-report'),
  idempotencyKey: Key,
  to: z.array(Email).min(1).max(50),
  locale: Locale.optional(),
  report: Report,
});

export const NotificationPayload = z.discriminatedUnion('kind', [
  OrderConfirmation,
  ShippingUpdate,
  OrderCancelled,
  DailyReport,
]);
export type NotificationPayload = z.infer<typeof NotificationPayload>;
export type NotificationKind = NotificationPayload['kind'];

/** The order a notification is about, when it must be read from the store (shipping and cancellation emails). */
export function storedOrderIdOf(payload: NotificationPayload): string | undefined {
  if (payload.kind === 'shipping-update') return payload.shipment.orderId;
  if (payload.kind === 'order-cancelled') return payload.cancellation.orderId;
  return undefined;
}
