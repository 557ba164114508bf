/**
 * One WooCommerce delivery → one of our events (or "ignored"), by topic and status:
 * - `order.created` → `order.created` (see order.ts for the money mapping);
 * - `order.updated` with status `cancelled` → `order.cancelled` (WooCommerce gives no reason);
 * - `order.updated` with status `completed` and tracking data (tracking.ts) → `order.shipped`;
 * - `order.updated` with status `completed` and no tracking → `order.completed` (the stored status changes, no email);
 * - any other topic or status: ignored.
 */
import { completionEvent, shipmentEvent } from '../shipment.ts';
import { checkedEvent, createIssues, readPayload, type Translation } from '../translation.ts';
import { isWooCommerceTopic, wooCommerceEventIds, wooCommerceOrderId, type WooCommerceDelivery } from './map.ts';
import { gmt, wooCommerceOrder } from './order.ts';
import { WooOrder } from './payload.ts';
import { wooCommerceTracking } from './tracking.ts';

const UpdatedOrder = WooOrder.pick({
  id: true,
  status: true,
  date_modified_gmt: true,
  date_completed_gmt: true,
  meta_data: true,
});

export function translateWooCommerce(d: WooCommerceDelivery, body: unknown): Translation {
  if (!isWooCommerceTopic(d.topic)) return { ignored: `topic ${d.topic} is not one we act on` };
  if (d.topic === 'order.created') {
    const o = readPayload('WooCommerce', 'order', WooOrder, body);
    const issues = createIssues('WooCommerce');
    const order = wooCommerceOrder(o, d.shop, issues);
    issues.check(`order ${o.number ?? o.id}`);
    return checkedEvent('WooCommerce', {
      id: wooCommerceEventIds.created(d.shop, o.id),
      type: 'order.created',
      createdAt: order.createdAt,
      data: { order },
    });
  }
  const o = readPayload('WooCommerce', 'order', UpdatedOrder, body);
  const orderId = wooCommerceOrderId(d.shop, o.id);
  if (o.status === 'cancelled') {
    const at = gmt(o.date_modified_gmt);
    return checkedEvent('WooCommerce', {
      id: wooCommerceEventIds.cancelled(d.shop, o.id),
      type: 'order.cancelled',
      createdAt: at,
      data: { orderId, cancelledAt: at },
    });
  }
  if (o.status !== 'completed') return { ignored: `order status ${o.status} sends no email` };
  const tracking = wooCommerceTracking(o);
  const completedAt = gmt(o.date_completed_gmt || o.date_modified_gmt);
  if (!tracking?.number)
    return completionEvent('WooCommerce', {
      id: wooCommerceEventIds.completed(d.shop, o.id),
      orderId,
      at: completedAt,
    });
  const at = tracking.shippedAt ?? completedAt;
  return shipmentEvent('WooCommerce', {
    id: wooCommerceEventIds.shipped(d.shop, o.id, tracking.number),
    orderId,
    at,
    tracking,
  });
}
