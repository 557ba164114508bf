/**
 * Which Shopify deliveries we act on, and what identifies them: the topic → event type table, the delivery
 * headers, and the deduplication keys.
 */
import { RequestError } from '../../errors.ts';

/** Shopify topic → our event type; any topic not listed is acknowledged and ignored. */
export const SHOPIFY_TOPICS = {
  'orders/create': 'order.created',
  'fulfillments/create': 'order.shipped',
  'orders/fulfilled': 'order.shipped',
  'orders/cancelled': 'order.cancelled',
} as const;
export type ShopifyTopic = keyof typeof SHOPIFY_TOPICS;

export const isShopifyTopic = (topic: string): topic is ShopifyTopic => Object.hasOwn(SHOPIFY_TOPICS, topic);

/** What the headers of one delivery say. */
export interface ShopifyDelivery {
  topic: string;
  /** `X-Shopify-Shop-Domain`, kept with the order (`source.shop`) and part of every id. */
  shop: string;
  /** `X-Shopify-Event-Id` (the same for every delivery of one merchant action), else `X-Shopify-Webhook-Id`. */
  deliveryId: string | undefined;
  /** `X-Shopify-Test: true`: a test delivery (the admin's "Send test notification", or `deploy.sh verify`). */
  test?: true;
}

const SHOP = /^[A-Za-z0-9][A-Za-z0-9.-]{0,254}$/;

/** Reads the delivery headers (`header` looks a header up case-insensitively); 400 when topic or shop is missing. */
export function shopifyDelivery(header: (name: string) => string | undefined): ShopifyDelivery {
  const topic = header('x-shopify-topic')?.trim();
  const shop = header('x-shopify-shop-domain')?.trim().toLowerCase();
  if (!topic) throw new RequestError(400, 'invalid-request', 'Missing X-Shopify-Topic header');
  if (!shop || !SHOP.test(shop))
    throw new RequestError(
      400,
      'invalid-request',
      'Missing or malformed X-Shopify-Shop-Domain header (expected a shop domain such as example.myshopify.com)',
    );
  const deliveryId = header('x-shopify-event-id')?.trim() || header('x-shopify-webhook-id')?.trim() || undefined;
  return {
    topic,
    shop,
    deliveryId,
    ...(header('x-shopify-test')?.trim().toLowerCase() === 'true' ? { test: true as const } : {}),
  };
}

/**
 * Our event id, which is the deduplication key. It names what happened to which resource rather than the
 * delivery: a redelivery (same `X-Shopify-Event-Id`) maps to the same key, and so do `orders/fulfilled` and
 * `fulfillments/create` for the same fulfillment, or two subscriptions for the same order, so the customer gets
 * one email each time.
 */
export const shopifyEventIds = {
  created: (shop: string, orderId: string) => `shopify:${shop}:order:${orderId}:created`,
  cancelled: (shop: string, orderId: string) => `shopify:${shop}:order:${orderId}:cancelled`,
  shipped: (shop: string, fulfillmentId: string) => `shopify:${shop}:fulfillment:${fulfillmentId}`,
  completed: (shop: string, orderId: string) => `shopify:${shop}:order:${orderId}:completed`,
};
