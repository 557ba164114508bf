/** Orders and notification payloads for the mail tests. */
import type { Order } from '../../shared/schemas/events.ts';
import type { MailEnv } from '../../shared/mail.ts';

export function anOrder(overrides: Partial<Order> = {}): Order {
  const lines = overrides.lines ?? [
    { sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 500 },
    { sku: 'TEA-9', name: 'Green tea', quantity: 1, unitPrice: 234 },
  ];
  const subtotal = lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
  const shipping = overrides.shipping ?? 400;
  const tax = overrides.tax ?? 0;
  return {
    id: 'ord_1',
    number: '1001',
    createdAt: '2026-11-23T10:15:00+01:00',
    currency: 'EUR',
    locale: 'de-DE',
    customer: { email: 'jane.doe@example.com', name: 'Jane Doe' },
    shippingAddress: { name: 'Jane Doe', line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    ...overrides,
    lines,
    subtotal,
    shipping,
    tax,
    total: subtotal + shipping + tax - (overrides.discount ?? 0),
  };
}

/** Mail settings pointing at a sink. */
export function mailConfig(baseUrl: string, overrides: Partial<MailEnv> = {}): MailEnv {
  return {
    SENDGRID_API_KEY: 'SG.test-key',
    SENDGRID_BASE_URL: baseUrl,
    MAIL_FROM: 'shop@storefront.test',
    MAIL_FROM_NAME: 'Storefront',
    SENDGRID_TIMEOUT_MS: 2_000,
    ...overrides,
  } as MailEnv;
}
