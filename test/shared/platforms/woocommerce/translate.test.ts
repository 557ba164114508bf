import { describe, expect, it } from 'vitest';
import { RequestError } from '../../../../shared/errors.ts';
import { parseExactJson } from '../../../../shared/platforms/exact-json.ts';
import type { Translation } from '../../../../shared/platforms/translation.ts';
import {
  isWooCommercePing,
  wooCommerceDelivery,
  type WooCommerceDelivery,
} from '../../../../shared/platforms/woocommerce/map.ts';
import { decodeEntities } from '../../../../shared/platforms/woocommerce/order.ts';
import { translateWooCommerce } from '../../../../shared/platforms/woocommerce/translate.ts';
import { Order } from '../../../../shared/schemas/events.ts';
import * as fx from '../../../support/platform-fixtures.ts';
import { eventOf as event, orderOf as order, rejectionOf as rejection } from '../../../support/translations.ts';

const SHOP = 'shop.example';
const delivery = (topic: string): WooCommerceDelivery => ({ topic, shop: SHOP, deliveryId: 'd-1' });
const translate = (topic: string, payload: unknown): Translation =>
  translateWooCommerce(delivery(topic), parseExactJson(fx.platformJson(payload)));

describe('WooCommerce order.created', () => {
  it("translates WooCommerce's documented order into an order that passes our schema, sums included", () => {
    const e = event(translate('order.created', fx.wooCreated()));
    expect(e).toMatchObject({ id: `woocommerce:${SHOP}:order:727:created`, createdAt: '2017-03-22T19:28:02Z' });
    const o = order(translate('order.created', fx.wooCreated()));
    expect(Order.safeParse(o).success).toBe(true);
    expect(o).toMatchObject({
      id: `woocommerce:${SHOP}:727`,
      number: '727',
      currency: 'USD',
      customer: { email: 'john.doe@example.com', name: 'John Doe' },
      subtotal: 1800,
      shipping: 1000,
      tax: 135,
      total: 2935,
      shippingAddress: {
        name: 'John Doe',
        line1: '969 Market',
        city: 'San Francisco',
        region: 'CA',
        postalCode: '94103',
        country: 'US',
      },
      source: { platform: 'woocommerce', shop: SHOP },
    });
    expect(o.lines).toEqual([
      { sku: 'product-93', name: 'Woo Single #1', quantity: 2, unitPrice: 300 },
      { sku: 'Bar3', name: 'Ship Your Idea – Color: Black, Size: M Test', quantity: 1, unitPrice: 1200 },
    ]);
    expect(o).not.toHaveProperty('discount');
  });

  it('maps coupons, several tax rates and a fee so the sums hold', () => {
    const o = order(translate('order.created', fx.wooDiscountsAndTaxes()));
    expect(o).toMatchObject({ subtotal: 1950, shipping: 1000, tax: 194, discount: 200, total: 2944 });
    expect(o.lines.at(-1)).toEqual({ sku: 'fee', name: 'Gift wrap', quantity: 1, unitPrice: 150 });
  });

  it('treats a negative fee as a discount', () => {
    const o = order(
      translate(
        'order.created',
        fx.wooCreated({ fee_lines: [{ name: 'Loyalty', total: '-3.00', total_tax: '0.00' }], total: '26.35' }),
      ),
    );
    expect(o).toMatchObject({ subtotal: 1800, discount: 300, total: 2635 });
  });

  it('converts JPY amounts with or without trailing decimals', () => {
    expect(order(translate('order.created', fx.wooJpy()))).toMatchObject({
      currency: 'JPY',
      subtotal: 2400,
      shipping: 1000,
      tax: 240,
      total: 3640,
    });
  });

  it('keeps a line whose subtotal does not divide by its quantity as one unit of the whole', () => {
    const sample = fx.wooCreated();
    const o = order(
      translate('order.created', {
        ...sample,
        line_items: [{ ...sample.line_items[0], quantity: 3, subtotal: '10.00' }, sample.line_items[1]],
        total: '33.35',
      }),
    );
    expect(o.lines[0]).toEqual({ sku: 'product-93', name: 'Woo Single #1 × 3', quantity: 1, unitPrice: 1000 });
  });

  it('answers 400 naming the amounts when the total does not add up', () => {
    let err: unknown;
    try {
      translate('order.created', fx.wooCreated({ total: '30.35' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).details).toEqual([
      {
        path: 'total',
        message: expect.stringContaining('is 3035 minor units, but line items 1800 + shipping 1000 + tax 135'),
      },
    ]);
  });

  it('answers 400 for an amount with more decimals than the currency has', () => {
    expect(() => translate('order.created', fx.wooCreated({ shipping_total: '10.005' }))).toThrow(
      /shipping_total: has 3 decimals but USD has 2/,
    );
  });
});

describe('WooCommerce addresses', () => {
  const blank = {
    first_name: '',
    last_name: '',
    company: '',
    address_1: '',
    address_2: '',
    city: '',
    state: '',
    postcode: '',
    country: '',
  };
  it('takes a virtual order without any address: no shipping address', () => {
    const sample = fx.wooCreated();
    const o = order(
      translate('order.created', { ...sample, shipping: blank, billing: { ...blank, email: sample.billing.email } }),
    );
    expect(o).not.toHaveProperty('shippingAddress');
  });

  it('takes an address without a postcode, and still requires city and country', () => {
    const sample = fx.wooCreated();
    const hk = { ...sample.shipping, postcode: '', state: '', city: 'Central', country: 'HK' };
    const o = order(translate('order.created', { ...sample, shipping: hk }));
    expect(o.shippingAddress).toMatchObject({ city: 'Central', country: 'HK' });
    expect(o.shippingAddress).not.toHaveProperty('postalCode');
    const err = rejection(() => translate('order.created', { ...sample, shipping: { ...hk, city: '', country: '' } }));
    expect(err.details.map((d) => d.path).sort()).toEqual(['shipping.city', 'shipping.country']);
  });
});

describe('WooCommerce order.updated', () => {
  it('maps status cancelled to a cancellation at date_modified_gmt', () => {
    expect(event(translate('order.updated', fx.wooOrder({ status: 'cancelled' })))).toEqual({
      id: `woocommerce:${SHOP}:order:727:cancelled`,
      type: 'order.cancelled',
      createdAt: '2017-03-22T19:30:35Z',
      data: { orderId: `woocommerce:${SHOP}:727`, cancelledAt: '2017-03-22T19:30:35Z' },
    });
  });

  it('maps status completed with Shipment Tracking / AST data to a shipment', () => {
    expect(event(translate('order.updated', fx.wooCompletedWithTracking()))).toEqual({
      id: `woocommerce:${SHOP}:order:727:shipped:1Z999AA10123456784`,
      type: 'order.shipped',
      createdAt: '2017-03-23T00:00:00.000Z',
      data: {
        orderId: `woocommerce:${SHOP}:727`,
        carrier: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        shippedAt: '2017-03-23T00:00:00.000Z',
      },
    });
  });

  it('uses a custom provider and link, and the latest of several tracking items', () => {
    const e = event(
      translate(
        'order.updated',
        fx.wooCompletedWithTracking([
          { tracking_provider: 'ups', tracking_number: 'OLD1', date_shipped: '1490227200' },
          {
            tracking_provider: '',
            custom_tracking_provider: 'Kuehne Express',
            custom_tracking_link: 'https://track.kuehne.example/ABC123',
            tracking_number: 'ABC123',
            date_shipped: '1490313600',
          },
        ]),
      ),
    );
    expect(e.data).toMatchObject({
      carrier: 'Kuehne Express',
      trackingNumber: 'ABC123',
      trackingUrl: 'https://track.kuehne.example/ABC123',
    });
  });

  it('maps status completed without tracking data (the documented sample) to a completion: status only, no email', () => {
    expect(event(translate('order.updated', fx.wooOrder()))).toEqual({
      id: `woocommerce:${SHOP}:order:727:completed`,
      type: 'order.completed',
      createdAt: '2017-03-22T19:30:35Z',
      data: { orderId: `woocommerce:${SHOP}:727`, completedAt: '2017-03-22T19:30:35Z' },
    });
  });

  it.each([
    ['processing', 'order.updated', fx.wooCreated()],
    ['a topic we do not act on', 'product.updated', fx.wooOrder()],
  ])('acknowledges and ignores %s', (_n, topic, payload) => {
    expect(translate(topic, payload)).toEqual({ ignored: expect.any(String) });
  });
});

describe('WooCommerce deliveries', () => {
  const headers = (h: Record<string, string>) => (name: string) => h[name];
  it('recognises the ping WooCommerce sends when a webhook is saved', () => {
    expect(isWooCommercePing('application/x-www-form-urlencoded', Buffer.from('webhook_id=12'))).toBe(true);
    expect(isWooCommercePing('application/json', Buffer.from('webhook_id=12'))).toBe(false);
    expect(isWooCommercePing('application/x-www-form-urlencoded', Buffer.from('webhook_id=12&x=1'))).toBe(false);
  });
  it('reads topic and the shop host from the source URL', () => {
    expect(
      wooCommerceDelivery(
        headers({
          'x-wc-webhook-topic': 'order.created',
          'x-wc-webhook-source': 'https://Shop.Example/',
          'x-wc-webhook-delivery-id': 'abc',
        }),
      ),
    ).toEqual({ topic: 'order.created', shop: SHOP, deliveryId: 'abc' });
  });
  it.each([
    [{ 'x-wc-webhook-source': 'https://shop.example/' }],
    [{ 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-source': 'not a url' }],
  ])('answers 400 without topic or source (%j)', (h) => {
    expect(() => wooCommerceDelivery(headers(h))).toThrow(expect.objectContaining({ status: 400 }));
  });
  it('decodes the HTML entities WooCommerce leaves in names', () => {
    expect(decodeEntities('Tea &amp; Cake &ndash; &#8220;Deluxe&#8221; &bogus;')).toBe('Tea & Cake – “Deluxe” &bogus;');
  });
});
