import { describe, expect, it } from 'vitest';
import { parseExactJson } from '../../../../shared/platforms/exact-json.ts';
import { shopifyDelivery, type ShopifyDelivery } from '../../../../shared/platforms/shopify/map.ts';
import { translateShopify } from '../../../../shared/platforms/shopify/translate.ts';
import type { Translation } from '../../../../shared/platforms/translation.ts';
import { Order } from '../../../../shared/schemas/events.ts';
import { itemsText, orderView } from '../../../../shared/templates/order-view.ts';
import * as fx from '../../../support/platform-fixtures.ts';
import { eventOf as event, orderOf as order, rejectionOf as rejection } from '../../../support/translations.ts';

const SHOP = 'jsmith.myshopify.com';
const delivery = (topic: string): ShopifyDelivery => ({ topic, shop: SHOP, deliveryId: 'evt-1' });
/** Translates a payload as it arrives: serialised as Shopify does, parsed with exact ids. */
const translate = (topic: string, payload: unknown): Translation =>
  translateShopify(delivery(topic), parseExactJson(fx.platformJson(payload)));

describe('Shopify orders/create', () => {
  it("translates Shopify's documented sample into an order that passes our schema, sums included", () => {
    const e = event(translate('orders/create', fx.shopifyOrder()));
    expect(e).toMatchObject({
      id: `shopify:${SHOP}:order:820982911946154508:created`,
      type: 'order.created',
      createdAt: '2021-12-31T19:00:00-05:00',
    });
    const o = order(translate('orders/create', fx.shopifyOrder()));
    expect(Order.safeParse(o).success).toBe(true);
    expect(o).toMatchObject({
      id: `shopify:${SHOP}:820982911946154508`,
      number: '9999',
      currency: 'USD',
      locale: 'en',
      customer: { email: 'jon@example.com', name: 'John Smith' },
      subtotal: 41495,
      shipping: 1000,
      tax: 0,
      discount: 2000,
      total: 40495,
      shippingAddress: {
        name: 'Steve Shipper',
        line1: '123 Shipping Street',
        city: 'Shippington',
        region: 'KY',
        postalCode: '40003',
        country: 'US',
      },
      source: { platform: 'shopify', shop: SHOP },
    });
    expect(o.lines.map((l) => [l.sku, l.quantity, l.unitPrice])).toEqual([
      ['SKU2006-001', 1, 8999],
      ['LENS-PROTECT-2YR', 1, 1999],
      ['CASE-LEATHER-PREM', 1, 2499],
      ['SKU2006-020', 1, 15999],
      ['SKU2006-035', 1, 11999],
    ]);
  });

  it.each([
    ['JPY (no decimals)', fx.shopifyJpy, { subtotal: 41495, shipping: 1000, discount: 2000, total: 40495 }],
    ['KWD (three decimals)', fx.shopifyKwd, { subtotal: 41495, shipping: 1000, discount: 2000, total: 40495 }],
  ])('converts %s exactly by the currency exponent', (_n, payload, sums) => {
    const o = order(translate('orders/create', payload()));
    expect(o).toMatchObject(sums);
    expect(o.lines[0]!.unitPrice).toBe(8999);
  });

  it('counts tax once when tax_lines repeat it on lines, shipping lines and the order', () => {
    expect(order(translate('orders/create', fx.shopifyTwoTaxes()))).toMatchObject({
      subtotal: 41495,
      shipping: 1000,
      tax: 5100,
      discount: 2000,
      total: 45595,
    });
  });

  it.each([
    ['total_discounts includes the free-shipping discount', true],
    ['total_discounts leaves it out (taken from the shipping line)', false],
  ])('maps line, order and shipping discounts into one discount: %s', (_n, shippingInDiscounts) => {
    expect(order(translate('orders/create', fx.shopifyDiscounts({ shippingInDiscounts })))).toMatchObject({
      subtotal: 41495,
      shipping: 1000,
      discount: 3000,
      total: 39495,
    });
  });

  it('keeps tax-inclusive prices as they are and shows the included tax apart', () => {
    const o = order(translate('orders/create', fx.shopifyTaxIncluded()));
    expect(o).toMatchObject({ subtotal: 41495, tax: 0, taxIncluded: 6625, total: 40495 });
    expect(itemsText(orderView(o))).toMatch(/Total +\$404\.95\n +Including tax \$66\.25/);
  });

  it('adds a tip as a line, so the total still adds up', () => {
    const o = order(translate('orders/create', fx.shopifyOrder({ total_tip_received: '5.00', total_price: '409.95' })));
    expect(o.lines.at(-1)).toEqual({ sku: 'tip', name: 'Tip', quantity: 1, unitPrice: 500 });
    expect(o.total).toBe(40995);
  });

  it('answers 400 naming every amount when the sums cannot be mapped (e.g. duties we cannot show)', () => {
    const err = rejection(() => translate('orders/create', fx.shopifyOrder({ total_price: '409.95' })));
    expect(err.status).toBe(400);
    expect(err.details).toEqual([
      {
        path: 'total_price',
        message: expect.stringContaining(
          'is 40995 minor units, but line items 41495 + shipping 1000 + tax 0 − discounts = 40495 (discounts 2000)',
        ),
      },
    ]);
  });

  it('answers 400 naming each malformed or too precise amount', () => {
    const sample = fx.shopifyOrder();
    const payload = {
      ...sample,
      line_items: sample.line_items.map((l: any, i: number) =>
        i === 1 ? { ...l, price: '19.999' } : i === 2 ? { ...l, price: '24,99' } : l,
      ),
    };
    const err = rejection(() => translate('orders/create', payload));
    expect(err.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(['line_items.1.price', 'line_items.2.price']),
    );
    expect(err.message).toMatch(/has 3 decimals but USD has 2/);
  });

  it('answers 400 when there is no email to send to', () => {
    const err = rejection(() =>
      translate('orders/create', fx.shopifyOrder({ email: null, contact_email: null, customer: null })),
    );
    expect(err.details.map((d) => d.path)).toEqual(['email']);
  });

  it('takes an order with no address at all (digital goods): no shipping address, and the email says nothing ships', () => {
    const o = order(translate('orders/create', fx.shopifyOrder({ shipping_address: null, billing_address: null })));
    expect(o).not.toHaveProperty('shippingAddress');
    expect(orderView(o).shippingAddress).toBeUndefined();
  });

  it('takes an address without a postal code (Hong Kong has none), and still requires city and country', () => {
    const sample = fx.shopifyOrder();
    const hk = {
      ...sample.shipping_address,
      zip: null,
      city: 'Central',
      province: null,
      province_code: null,
      country: 'Hong Kong',
      country_code: 'HK',
    };
    const o = order(translate('orders/create', { ...sample, shipping_address: hk }));
    expect(o.shippingAddress).toMatchObject({ city: 'Central', country: 'HK' });
    expect(o.shippingAddress).not.toHaveProperty('postalCode');
    const err = rejection(() =>
      translate('orders/create', { ...sample, shipping_address: { ...hk, city: ' ', country_code: null } }),
    );
    expect(err.details.map((d) => d.path).sort()).toEqual(['shipping_address.city', 'shipping_address.country_code']);
  });

  it('falls back to the billing address and to generated SKUs for custom items', () => {
    const sample = fx.shopifyOrder();
    const o = order(
      translate('orders/create', {
        ...sample,
        shipping_address: null,
        line_items: sample.line_items.map((l: any, i: number) => (i ? l : { ...l, sku: '' })),
      }),
    );
    expect(o.shippingAddress?.line1).toBe('123 Shipping Street');
    expect(o.lines[0]!.sku).toBe('line-487817672276298554');
  });
});

describe('Shopify fulfillments and cancellations', () => {
  it('maps the documented fulfillments/create sample to a shipment with carrier, tracking number and URL', () => {
    expect(event(translate('fulfillments/create', fx.shopifyFulfillment()))).toEqual({
      id: `shopify:${SHOP}:fulfillment:123456`,
      type: 'order.shipped',
      createdAt: '2021-12-31T19:00:00-05:00',
      data: {
        orderId: `shopify:${SHOP}:820982911946154508`,
        carrier: 'UPS',
        trackingNumber: '1z827wk74630',
        trackingUrl: 'https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630',
        shippedAt: '2021-12-31T19:00:00-05:00',
      },
    });
  });

  it('gives each partial fulfillment its own event', () => {
    const a = event(translate('fulfillments/create', fx.shopifyPartialFulfillment(1001, '1Z0001', 'SKU2006-001')));
    const b = event(translate('fulfillments/create', fx.shopifyPartialFulfillment(1002, '1Z0002', 'SKU2006-020')));
    expect(a.id).not.toBe(b.id);
    expect([a.data, b.data]).toMatchObject([{ trackingNumber: '1Z0001' }, { trackingNumber: '1Z0002' }]);
  });

  it('maps orders/fulfilled to the latest tracked fulfillment, with the same event id as its fulfillments/create', () => {
    const fulfilled = fx.shopifyOrder({
      fulfillments: [
        fx.shopifyPartialFulfillment(1001, '1Z0001', 'SKU2006-001'),
        { ...fx.shopifyFulfillment(), created_at: '2022-01-02T10:00:00-05:00' },
      ],
    });
    const e = event(translate('orders/fulfilled', fulfilled));
    expect(e.id).toBe(event(translate('fulfillments/create', fx.shopifyFulfillment())).id);
    expect(e.data).toMatchObject({ trackingNumber: '1z827wk74630', shippedAt: '2022-01-02T10:00:00-05:00' });
  });

  it('maps orders/fulfilled without any tracking number to a completion: the stored status changes, no email', () => {
    const untracked = (id: number, at: string) => ({
      ...fx.shopifyFulfillment({ tracking_number: null, tracking_numbers: [], tracking_url: null, tracking_urls: [] }),
      id,
      created_at: at,
    });
    const fulfilled = fx.shopifyOrder({
      fulfillments: [
        untracked(1, '2022-01-02T10:00:00-05:00'),
        untracked(2, '2022-01-03T10:00:00-05:00'),
        { ...untracked(3, '2022-01-04T10:00:00-05:00'), status: 'cancelled' },
      ],
    });
    expect(event(translate('orders/fulfilled', fulfilled))).toEqual({
      id: `shopify:${SHOP}:order:820982911946154508:completed`,
      type: 'order.completed',
      createdAt: '2022-01-03T10:00:00-05:00',
      data: { orderId: `shopify:${SHOP}:820982911946154508`, completedAt: '2022-01-03T10:00:00-05:00' },
    });
  });

  it('skips a cancelled fulfillment when orders/fulfilled picks the tracked one', () => {
    const cancelled = {
      ...fx.shopifyFulfillment(),
      id: 2,
      tracking_number: '1ZCANCEL',
      created_at: '2022-01-05T10:00:00-05:00',
      status: 'cancelled',
    };
    const e = event(
      translate('orders/fulfilled', fx.shopifyOrder({ fulfillments: [fx.shopifyFulfillment(), cancelled] })),
    );
    expect(e.data).toMatchObject({ trackingNumber: '1z827wk74630' });
  });

  it.each([
    ['the documented orders/fulfilled sample (no fulfillments in it)', 'orders/fulfilled', fx.shopifyOrder()],
    [
      'a fulfillment without a tracking number',
      'fulfillments/create',
      fx.shopifyFulfillment({ tracking_number: null, tracking_numbers: [] }),
    ],
    ['a cancelled fulfillment', 'fulfillments/create', fx.shopifyFulfillment({ status: 'cancelled' })],
    ['a topic we do not act on', 'orders/updated', fx.shopifyOrder()],
  ])('acknowledges and ignores %s', (_n, topic, payload) => {
    expect(translate(topic, payload)).toEqual({ ignored: expect.any(String) });
  });

  it('maps the documented orders/cancelled sample to a cancellation with the reason in words', () => {
    expect(event(translate('orders/cancelled', fx.shopifyOrder()))).toEqual({
      id: `shopify:${SHOP}:order:820982911946154508:cancelled`,
      type: 'order.cancelled',
      createdAt: '2021-12-31T19:00:00-05:00',
      data: {
        orderId: `shopify:${SHOP}:820982911946154508`,
        reason: 'cancelled at your request',
        cancelledAt: '2021-12-31T19:00:00-05:00',
      },
    });
  });

  it('leaves out a tracking URL that is not http(s)', () => {
    const e = event(
      translate(
        'fulfillments/create',
        fx.shopifyFulfillment({ tracking_url: 'javascript:alert(1)', tracking_urls: [] }),
      ),
    );
    expect(e.data).not.toHaveProperty('trackingUrl');
  });
});

describe('Shopify delivery headers', () => {
  const headers = (h: Record<string, string>) => (name: string) => h[name];
  it('reads topic, shop and the event id (falling back to the webhook id)', () => {
    expect(
      shopifyDelivery(
        headers({
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': 'JSmith.myshopify.com',
          'x-shopify-webhook-id': 'w-1',
        }),
      ),
    ).toEqual({ topic: 'orders/create', shop: SHOP, deliveryId: 'w-1' });
  });
  it("ignores a test delivery (X-Shopify-Test: true), even Shopify's sample order on orders/create", () => {
    const test = shopifyDelivery(
      headers({ 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': SHOP, 'x-shopify-test': 'true' }),
    );
    expect(test).toEqual({ topic: 'orders/create', shop: SHOP, deliveryId: undefined, test: true });
    expect(translateShopify(test, parseExactJson(fx.platformJson(fx.shopifyOrder())))).toEqual({
      ignored: 'a test delivery (X-Shopify-Test: true)',
    });
    expect(
      shopifyDelivery(
        headers({ 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': SHOP, 'x-shopify-test': 'false' }),
      ),
    ).not.toHaveProperty('test');
  });
  it.each([
    [{ 'x-shopify-shop-domain': SHOP }, /X-Shopify-Topic/],
    [{ 'x-shopify-topic': 'orders/create' }, /X-Shopify-Shop-Domain/],
    [{ 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': 'a/b' }, /X-Shopify-Shop-Domain/],
  ])('answers 400 without a usable topic or shop (%j)', (h, message) => {
    expect(() => shopifyDelivery(headers(h))).toThrow(message);
  });
});
