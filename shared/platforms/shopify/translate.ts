/**
 * One Shopify delivery → one of our events (or "ignored"), by topic:
 * - `orders/create` → `order.created` (see order.ts for the money mapping);
 * - `fulfillments/create` → `order.shipped` with the fulfillment's carrier, tracking number and URL;
 * - `orders/fulfilled` → `order.shipped` for the order's latest fulfillment that has a tracking number (the same
 *   event id as that fulfillment's `fulfillments/create`, so one email even when both are subscribed); without
 *   any tracking number, `order.completed` at its latest fulfillment (the stored status changes, no email);
 * - `orders/cancelled` → `order.cancelled` with the reason in words;
 * - any other topic, a fulfillment without a tracking number, or a cancelled/failed fulfillment: ignored;
 * - a test delivery (`X-Shopify-Test: true`, Shopify's sample payload on a real topic): ignored, so the admin's
 *   "Send test notification" and `deploy.sh verify` prove the signing key and change nothing.
 */
import { z } from 'zod';
import { completionEvent, shipmentEvent } from '../shipment.ts';
import { checkedEvent, createIssues, readPayload, type Translation } from '../translation.ts';
import { isShopifyTopic, shopifyEventIds, type ShopifyDelivery } from './map.ts';
import { shopifyOrder, shopifyOrderId } from './order.ts';
import { ShopifyFulfillment, ShopifyOrder } from './payload.ts';

/** Shopify's `cancel_reason` values in words for the email; `other` (or none) gives no reason. */
export const CANCEL_REASONS: Record<string, string> = {
  customer: 'cancelled at your request',
  declined: 'the payment was declined',
  fraud: 'the payment could not be verified',
  inventory: 'items were out of stock',
  staff: 'cancelled by the shop',
};

const FulfilledOrder = ShopifyOrder.pick({ id: true, fulfillments: true });
const CancelledOrder = ShopifyOrder.pick({ id: true, cancel_reason: true }).extend({ cancelled_at: z.string() });

export function translateShopify(d: ShopifyDelivery, body: unknown): Translation {
  if (d.test) return { ignored: 'a test delivery (X-Shopify-Test: true)' };
  if (!isShopifyTopic(d.topic)) return { ignored: `topic ${d.topic} is not one we act on` };
  switch (d.topic) {
    case 'orders/create': {
      const o = readPayload('Shopify', 'order', ShopifyOrder, body);
      const issues = createIssues('Shopify');
      const order = shopifyOrder(o, d.shop, issues);
      issues.check(`order ${o.name}`);
      return checkedEvent('Shopify', {
        id: shopifyEventIds.created(d.shop, o.id),
        type: 'order.created',
        createdAt: o.created_at,
        data: { order },
      });
    }
    case 'fulfillments/create':
      return fulfillmentEvent(d, readPayload('Shopify', 'fulfillment', ShopifyFulfillment, body));
    case 'orders/fulfilled': {
      const o = readPayload('Shopify', 'order', FulfilledOrder, body);
      const newest = (fs: ShopifyFulfillment[]) =>
        fs.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
      const fulfillments = (o.fulfillments ?? []).filter((f) => !f.status || !FAILED.includes(f.status));
      const tracked = newest(fulfillments.filter((f) => f.tracking_number || f.tracking_numbers?.length));
      if (tracked) return fulfillmentEvent(d, tracked);
      const last = newest(fulfillments);
      if (!last) return { ignored: 'the order has no fulfillment' };
      return completionEvent('Shopify', {
        id: shopifyEventIds.completed(d.shop, o.id),
        orderId: shopifyOrderId(d.shop, o.id),
        at: last.created_at,
      });
    }
    case 'orders/cancelled': {
      const o = readPayload('Shopify', 'cancelled order', CancelledOrder, body);
      const reason = o.cancel_reason ? CANCEL_REASONS[o.cancel_reason] : undefined;
      return checkedEvent('Shopify', {
        id: shopifyEventIds.cancelled(d.shop, o.id),
        type: 'order.cancelled',
        createdAt: o.cancelled_at,
        data: { orderId: shopifyOrderId(d.shop, o.id), ...(reason ? { reason } : {}), cancelledAt: o.cancelled_at },
      });
    }
  }
}

/** Fulfillment statuses that mean nothing was shipped. */
const FAILED = ['cancelled', 'error', 'failure'];

function fulfillmentEvent(d: ShopifyDelivery, f: ShopifyFulfillment): Translation {
  if (f.status && FAILED.includes(f.status)) return { ignored: `the fulfillment's status is ${f.status}` };
  return shipmentEvent('Shopify', {
    id: shopifyEventIds.shipped(d.shop, f.id),
    orderId: shopifyOrderId(d.shop, f.order_id),
    at: f.created_at,
    tracking: {
      carrier: f.tracking_company,
      number: f.tracking_number || f.tracking_numbers?.[0],
      url: f.tracking_url || f.tracking_urls?.[0],
    },
  });
}
