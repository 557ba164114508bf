/**
 * Which WooCommerce deliveries we act on and what identifies them: the ping, the delivery headers, the
 * deduplication keys.
 */
import { RequestError } from '../../errors.ts';

/** The topics we act on (`X-WC-Webhook-Topic`); any other is acknowledged and ignored. */
export const WOOCOMMERCE_TOPICS = ['order.created', 'order.updated'] as const;
export type WooCommerceTopic = (typeof WOOCOMMERCE_TOPICS)[number];
export const isWooCommerceTopic = (t: string): t is WooCommerceTopic =>
  (WOOCOMMERCE_TOPICS as readonly string[]).includes(t);

/**
 * The request WooCommerce sends when a webhook is saved (`WC_Webhook::deliver_ping`): the unsigned form body
 * `webhook_id=<id>`. It must be answered 2xx or WooCommerce refuses to save the webhook.
 */
export function isWooCommercePing(contentType: string | undefined, rawBody: Buffer | undefined): boolean {
  return (
    !!rawBody &&
    /^application\/x-www-form-urlencoded\b/i.test(contentType ?? '') &&
    /^webhook_id=\d{1,20}$/.test(rawBody.toString('latin1').trim())
  );
}

export interface WooCommerceDelivery {
  topic: string;
  /** The shop's host, from `X-WC-Webhook-Source` (`https://shop.example/` → `shop.example`). */
  shop: string;
  /** `X-WC-Webhook-Delivery-ID`, for the logs. */
  deliveryId: string | undefined;
}

/** Reads the delivery headers; 400 when topic or source is missing. */
export function wooCommerceDelivery(header: (name: string) => string | undefined): WooCommerceDelivery {
  const topic = header('x-wc-webhook-topic')?.trim();
  const source = header('x-wc-webhook-source')?.trim();
  if (!topic) throw new RequestError(400, 'invalid-request', 'Missing X-WC-Webhook-Topic header');
  const host = source && URL.canParse(source) ? new URL(source).host.toLowerCase() : undefined;
  if (!host || !/^[a-z0-9.:-]{1,255}$/.test(host))
    throw new RequestError(
      400,
      'invalid-request',
      'Missing or malformed X-WC-Webhook-Source header (expected the shop URL)',
    );
  return { topic, shop: host.replace(/:/g, '.'), deliveryId: header('x-wc-webhook-delivery-id')?.trim() || undefined };
}

/** Our order id for a WooCommerce order: unique across shops. */
export const wooCommerceOrderId = (shop: string, id: string): string => `woocommerce:${shop}:${id}`;

/**
 * Our event ids, the deduplication keys. They name what happened to which order (created, cancelled, shipped with
 * this tracking number), so a redelivery (same resource id and `date_modified_gmt`) maps to the same key, and so
 * does a later `order.updated` that leaves the order cancelled or completed with the same tracking (a note added,
 * a meta field changed): the customer gets one email per change that matters.
 */
export const wooCommerceEventIds = {
  created: (shop: string, id: string) => `woocommerce:${shop}:order:${id}:created`,
  cancelled: (shop: string, id: string) => `woocommerce:${shop}:order:${id}:cancelled`,
  completed: (shop: string, id: string) => `woocommerce:${shop}:order:${id}:completed`,
  shipped: (shop: string, id: string, trackingNumber: string) =>
    `woocommerce:${shop}:order:${id}:shipped:${trackingNumber.replace(/[^A-Za-z0-9._~@+=-]/g, '-').slice(0, 100)}`,
};
