/**
 * The storefront events `npm run demo` sends: four orders in four currencies and locales (EUR, JPY, USD, GBP),
 * one shipped, one cancelled, one delivered twice, and one invalid. Ids carry a run id so every demo run is new
 * to the stack, whose state persists.
 */

export interface DemoEvent {
  /** What the row of the table says. */
  label: string;
  orderId: string;
  event: Record<string, unknown>;
  /** What the webhook should answer and do. */
  expect: 'accepted' | 'duplicate' | 'rejected';
}

interface Line {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

function order(o: {
  id: string;
  number: string;
  currency: string;
  locale: string;
  customer: { email: string; name: string };
  lines: Line[];
  shipping: number;
  taxRate: number;
  discount?: number;
  address: Record<string, string>;
  createdAt: string;
}): Record<string, unknown> {
  const subtotal = o.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
  const tax = Math.round((subtotal + o.shipping - (o.discount ?? 0)) * o.taxRate);
  return {
    id: o.id,
    number: o.number,
    createdAt: o.createdAt,
    currency: o.currency,
    locale: o.locale,
    customer: o.customer,
    lines: o.lines,
    subtotal,
    shipping: o.shipping,
    tax,
    ...(o.discount ? { discount: o.discount } : {}),
    total: subtotal + o.shipping + tax - (o.discount ?? 0),
    shippingAddress: o.address,
  };
}

export function demoEvents(runId: string, now = new Date()): DemoEvent[] {
  const at = (minutes: number): string =>
    new Date(now.getTime() + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const id = (n: number): string => `demo-${runId}-${n}`;
  const num = (n: number): string => `${runId.slice(-4).toUpperCase()}-${n}`;
  const created = (n: number, o: Record<string, unknown>): Record<string, unknown> => ({
    id: `evt-${id(n)}-created`,
    type: 'order.created',
    createdAt: at(0),
    data: { order: o },
  });

  const berlin = order({
    id: id(1),
    number: num(1),
    currency: 'EUR',
    locale: 'de-DE',
    createdAt: at(-5),
    customer: { email: 'jana.becker@example.com', name: 'Jana Becker' },
    lines: [
      { sku: 'MUG-BLUE', name: 'Kaffeebecher, blau', quantity: 2, unitPrice: 1250 },
      { sku: 'BEANS-1KG', name: 'Espressobohnen 1 kg', quantity: 1, unitPrice: 2490 },
    ],
    shipping: 495,
    taxRate: 0.19,
    discount: 500,
    address: { name: 'Jana Becker', line1: 'Torstraße 12', city: 'Berlin', postalCode: '10119', country: 'DE' },
  });
  const tokyo = order({
    id: id(2),
    number: num(2),
    currency: 'JPY',
    locale: 'ja-JP',
    createdAt: at(-4),
    customer: { email: 'haruto.sato@example.jp', name: '佐藤 陽翔' },
    lines: [
      { sku: 'MATCHA-100', name: '抹茶 100g', quantity: 2, unitPrice: 1800 },
      { sku: 'CHAWAN', name: '茶碗', quantity: 1, unitPrice: 4200 },
    ],
    shipping: 600,
    taxRate: 0.1,
    address: {
      name: '佐藤 陽翔',
      line1: '千代田1-1',
      city: '千代田区',
      region: '東京都',
      postalCode: '100-0001',
      country: 'JP',
    },
  });
  const newYork = order({
    id: id(3),
    number: num(3),
    currency: 'USD',
    locale: 'en-US',
    createdAt: at(-3),
    customer: { email: 'maria.garcia@example.com', name: 'Maria Garcia' },
    lines: [{ sku: 'TEE-L', name: 'T-shirt, large', quantity: 3, unitPrice: 1999 }],
    shipping: 799,
    taxRate: 0.08875,
    address: {
      name: 'Maria Garcia',
      line1: '350 5th Ave',
      city: 'New York',
      region: 'NY',
      postalCode: '10118',
      country: 'US',
    },
  });
  const london = order({
    id: id(4),
    number: num(4),
    currency: 'GBP',
    locale: 'en-GB',
    createdAt: at(-2),
    customer: { email: 'oliver.smith@example.co.uk', name: 'Oliver Smith' },
    lines: [{ sku: 'TEAPOT', name: 'Teapot, stoneware', quantity: 1, unitPrice: 3450 }],
    shipping: 395,
    taxRate: 0.2,
    address: { name: 'Oliver Smith', line1: '10 Downing Lane', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' },
  });
  // Invalid: the totals do not add up, the currency is not ISO 4217 and the email is not an email.
  const base = orderBase(id(5), num(5), at(-1));
  const invalid = {
    ...order({ ...base, customer: { ...base.customer, email: 'not-an-email' } }),
    currency: 'EURO',
    total: 1,
  };

  const tokyoCreated = created(2, tokyo);
  return [
    { label: 'order.created EUR de-DE', orderId: id(1), expect: 'accepted', event: created(1, berlin) },
    { label: 'order.created JPY ja-JP', orderId: id(2), expect: 'accepted', event: tokyoCreated },
    { label: 'order.created USD en-US', orderId: id(3), expect: 'accepted', event: created(3, newYork) },
    { label: 'order.created GBP en-GB', orderId: id(4), expect: 'accepted', event: created(4, london) },
    {
      label: 'order.shipped (EUR order)',
      orderId: id(1),
      expect: 'accepted',
      event: {
        id: `evt-${id(1)}-shipped`,
        type: 'order.shipped',
        createdAt: at(1),
        data: {
          orderId: id(1),
          carrier: 'DHL',
          trackingNumber: '00340434161094042557',
          trackingUrl: 'https://www.dhl.de/en/privatkunden/dhl-sendungsverfolgung.html?piececode=00340434161094042557',
          shippedAt: at(1),
        },
      },
    },
    {
      label: 'order.cancelled (USD order)',
      orderId: id(3),
      expect: 'accepted',
      event: {
        id: `evt-${id(3)}-cancelled`,
        type: 'order.cancelled',
        createdAt: at(2),
        data: { orderId: id(3), reason: 'customer request', cancelledAt: at(2) },
      },
    },
    { label: 'order.created JPY, delivered again', orderId: id(2), expect: 'duplicate', event: tokyoCreated },
    {
      label: 'order.created, invalid',
      orderId: id(5),
      expect: 'rejected',
      event: { id: `evt-${id(5)}-created`, type: 'order.created', createdAt: at(3), data: { order: invalid } },
    },
  ];
}

function orderBase(id: string, number: string, createdAt: string): Parameters<typeof order>[0] {
  return {
    id,
    number,
    createdAt,
    currency: 'EUR',
    locale: 'fr-FR',
    customer: { email: 'camille@example.fr', name: 'Camille Martin' },
    lines: [{ sku: 'SCARF', name: 'Écharpe', quantity: 1, unitPrice: 3900 }],
    shipping: 490,
    taxRate: 0.2,
    address: { name: 'Camille Martin', line1: '5 rue de Rivoli', city: 'Paris', postalCode: '75001', country: 'FR' },
  };
}
