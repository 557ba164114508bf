/** Building shipment and completion events from platform data, the same way for every platform. */
import { checkedEvent, type PlatformName, type Translation } from './translation.ts';

export interface Tracking {
  carrier: string | null | undefined;
  number: string | null | undefined;
  url: string | null | undefined;
}

/** Carrier shown when the platform has a tracking number but no carrier name (Shopify's own label). */
export const UNKNOWN_CARRIER = 'Other';

/**
 * An `order.shipped` event for tracking data, or "ignored" when there is no tracking number to tell the customer.
 * A tracking URL that is not http(s) is left out rather than failing the delivery.
 */
export function shipmentEvent(
  platform: PlatformName,
  o: { id: string; orderId: string; at: string; tracking: Tracking },
): Translation {
  const number = o.tracking.number?.trim();
  if (!number) return { ignored: 'the shipment has no tracking number' };
  const url = o.tracking.url?.trim();
  return checkedEvent(platform, {
    id: o.id,
    type: 'order.shipped',
    createdAt: o.at,
    data: {
      orderId: o.orderId,
      carrier: o.tracking.carrier?.trim() || UNKNOWN_CARRIER,
      trackingNumber: number,
      ...(url && /^https?:\/\//i.test(url) && URL.canParse(url) ? { trackingUrl: url } : {}),
      shippedAt: o.at,
    },
  });
}

/**
 * An `order.completed` event: the platform says the order is fulfilled but gives no tracking to tell the customer,
 * so only the stored status changes (no email).
 */
export function completionEvent(platform: PlatformName, o: { id: string; orderId: string; at: string }): Translation {
  return checkedEvent(platform, {
    id: o.id,
    type: 'order.completed',
    createdAt: o.at,
    data: { orderId: o.orderId, completedAt: o.at },
  });
}
