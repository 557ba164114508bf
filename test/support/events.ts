/** Realistic storefront events for tests. */
import type { Order, StorefrontEvent } from '../../shared/schemas/events.ts';

export function order(id: string, over: Partial<Order> = {}): Order {
  return {
    id,
    number: '1001',
    createdAt: '2026-11-23T10:00:00Z',
    currency: 'EUR',
    locale: 'de-DE',
    customer: { email: 'jane@example.com', name: 'Jane Doe' },
    lines: [
      { sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1250 },
      { sku: 'TEE-M', name: 'T-shirt', quantity: 1, unitPrice: 1999 },
    ],
    subtotal: 4499,
    shipping: 495,
    tax: 855,
    discount: 500,
    total: 5349,
    shippingAddress: { name: 'Jane Doe', line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    ...over,
  };
}

export const created = (
  orderId: string,
  over: Partial<Order> = {},
  id = `evt-created-${orderId}`,
): StorefrontEvent => ({
  id,
  type: 'order.created',
  createdAt: '2026-11-23T10:00:01Z',
  data: { order: order(orderId, over) },
});

export const shipped = (
  orderId: string,
  over: Partial<{ trackingNumber: string; shippedAt: string }> = {},
  id = `evt-shipped-${orderId}-${over.trackingNumber ?? '1Z999'}`,
): StorefrontEvent => ({
  id,
  type: 'order.shipped',
  createdAt: '2026-11-23T11:00:01Z',
  data: {
    orderId,
    carrier: 'DHL',
    trackingNumber: over.trackingNumber ?? '1Z999',
    trackingUrl: 'https://track.example/1Z999',
    shippedAt: over.shippedAt ?? '2026-11-23T11:00:00Z',
  },
});

export const cancelled = (orderId: string, id = `evt-cancelled-${orderId}`): StorefrontEvent => ({
  id,
  type: 'order.cancelled',
  createdAt: '2026-11-23T12:00:01Z',
  data: { orderId, reason: 'customer request', cancelledAt: '2026-11-23T12:00:00Z' },
});

export const completed = (
  orderId: string,
  completedAt = '2026-11-23T13:00:00Z',
  id = `evt-completed-${orderId}`,
): StorefrontEvent => ({
  id,
  type: 'order.completed',
  createdAt: completedAt,
  data: { orderId, completedAt },
});
