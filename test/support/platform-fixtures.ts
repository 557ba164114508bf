/**
 * The platforms' documented sample payloads (test/fixtures/*, sources in their READMEs) and the edge cases derived
 * from them, each derivation stated. Large ids stay exact: they are parsed into `JSON.rawJSON` values, so
 * `platformJson()` writes them back digit for digit, as the platform sends them.
 */
import { readFileSync } from 'node:fs';

type Json = Record<string, any>;
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

function load(path: string): Json {
  const text = readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
  return JSON.parse(text, (_k, v, ctx?: { source?: string }) =>
    typeof v === 'number' && !Number.isSafeInteger(v) && ctx?.source ? rawJson(ctx.source) : v,
  );
}

/** Serialises a payload the way the platform does (compact JSON, ids exact). */
export const platformJson = (payload: unknown): string => JSON.stringify(payload);

const money = (amount: string, currency: string) => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});

/** Shopify's documented order sample (orders/create, orders/cancelled, orders/fulfilled): USD 414.95 of lines + 10.00 shipping − 20.00 discounts = 404.95. */
export const shopifyOrder = (over: Json = {}): Json => ({ ...load('shopify/orders-sample.json'), ...over });
/** Shopify's documented fulfillments/create sample: UPS 1z827wk74630 for order 820982911946154508. */
export const shopifyFulfillment = (over: Json = {}): Json => ({ ...load('shopify/fulfillments-create.json'), ...over });

/** The sample's five line items and shipping line re-priced in another currency (amounts as strings of that currency). */
export function shopifyInCurrency(
  currency: string,
  prices: string[],
  o: { shipping: string; discounts: string; tax: string; total: string },
): Json {
  const sample = shopifyOrder();
  return {
    ...sample,
    currency,
    line_items: sample.line_items.map((l: Json, i: number) => ({
      ...l,
      price: prices[i],
      price_set: money(prices[i]!, currency),
    })),
    shipping_lines: sample.shipping_lines.map((s: Json) => ({
      ...s,
      price: o.shipping,
      price_set: money(o.shipping, currency),
    })),
    total_discounts: o.discounts,
    total_tax: o.tax,
    total_price: o.total,
    total_tip_received: '0',
  };
}

/** JPY (exponent 0): ¥41,495 of lines + ¥1,000 shipping − ¥2,000 = ¥40,495. */
export const shopifyJpy = () =>
  shopifyInCurrency('JPY', ['8999', '1999', '2499', '15999', '11999'], {
    shipping: '1000',
    discounts: '2000',
    tax: '0',
    total: '40495',
  });
/** KWD (exponent 3): 41.495 + 1.000 − 2.000 = 40.495 KWD. */
export const shopifyKwd = () =>
  shopifyInCurrency('KWD', ['8.999', '1.999', '2.499', '15.999', '11.999'], {
    shipping: '1.000',
    discounts: '2.000',
    tax: '0.000',
    total: '40.495',
  });

/**
 * Canadian taxes: GST 5% and PST 7% on every line and on shipping, so `tax_lines` appear on each line, on the
 * shipping line and, summed, on the order (GST 21.25, PST 29.75). 414.95 + 10.00 + 51.00 tax − 20.00 = 455.95:
 * the tax counts once.
 */
const GST = ['4.50', '1.00', '1.25', '8.00', '6.00'];
const PST = ['6.30', '1.40', '1.75', '11.20', '8.40'];
export function shopifyTwoTaxes(): Json {
  const sample = shopifyOrder();
  const taxLine = (title: string, rate: number, price: string) => ({
    title,
    rate,
    price,
    price_set: money(price, 'USD'),
    channel_liable: false,
  });
  return {
    ...sample,
    line_items: sample.line_items.map((l: Json, i: number) => ({
      ...l,
      tax_lines: [taxLine('GST', 0.05, GST[i]!), taxLine('PST', 0.07, PST[i]!)],
    })),
    shipping_lines: sample.shipping_lines.map((s: Json) => ({
      ...s,
      tax_lines: [taxLine('GST', 0.05, '0.50'), taxLine('PST', 0.07, '0.70')],
    })),
    tax_lines: [taxLine('GST', 0.05, '21.25'), taxLine('PST', 0.07, '29.75')],
    total_tax: '51.00',
    total_price: '455.95',
  };
}

/**
 * Discounts: 10% off the lounger (16.00, a line discount allocation), 4.00 off the order, and a free-shipping
 * code (10.00 on the shipping line). `total_discounts` 30.00 includes the shipping discount:
 * 414.95 + 10.00 − 30.00 = 394.95. With `shippingInDiscounts: false` Shopify's total_discounts leaves the
 * shipping discount out (20.00) and the adapter adds it back from the shipping line.
 */
export function shopifyDiscounts(o: { shippingInDiscounts?: boolean } = {}): Json {
  const sample = shopifyOrder();
  const alloc = (amount: string, index: number) => ({
    amount,
    discount_application_index: index,
    amount_set: money(amount, 'USD'),
  });
  return {
    ...sample,
    discount_codes: [{ code: 'FREESHIP', amount: '10.00', type: 'shipping' }],
    line_items: sample.line_items.map((l: Json) =>
      l.sku === 'SKU2006-020' ? { ...l, total_discount: '16.00', discount_allocations: [alloc('16.00', 0)] } : l,
    ),
    shipping_lines: sample.shipping_lines.map((s: Json) => ({
      ...s,
      discounted_price: '0.00',
      discount_allocations: [alloc('10.00', 2)],
    })),
    total_discounts: o.shippingInDiscounts === false ? '20.00' : '30.00',
    total_price: '394.95',
  };
}

/** Tax-inclusive prices (EU VAT 19% inside the prices): total_tax 66.25 is not added. 414.95 + 10.00 − 20.00 = 404.95. */
export const shopifyTaxIncluded = () => shopifyOrder({ taxes_included: true, total_tax: '66.25' });

/** A partial fulfillment: the sample fulfillment, for the sunglasses only, with its own id and tracking number. */
export function shopifyPartialFulfillment(id: number, trackingNumber: string, sku: string): Json {
  const f = shopifyFulfillment();
  return {
    ...f,
    id,
    name: `#9999.${id}`,
    tracking_number: trackingNumber,
    tracking_numbers: [trackingNumber],
    tracking_url: `https://www.ups.com/track?tracknum=${trackingNumber}`,
    tracking_urls: [],
    line_items: f.line_items.filter((l: Json) => l.sku === sku),
  };
}

/** WooCommerce's documented order 727 (status completed): 6.00 + 12.00 lines + 10.00 shipping + 1.35 tax = 29.35. */
export const wooOrder = (over: Json = {}): Json => ({ ...load('woocommerce/order.json'), ...over });

/** The same order as `order.created` delivers it: still processing, not yet completed. */
export const wooCreated = (over: Json = {}): Json =>
  wooOrder({
    status: 'processing',
    date_modified: '2017-03-22T16:28:08',
    date_modified_gmt: '2017-03-22T19:28:08',
    date_completed: null,
    date_completed_gmt: null,
    ...over,
  });

/** Completed with WooCommerce Shipment Tracking / AST data in `_wc_shipment_tracking_items`. */
export function wooCompletedWithTracking(
  items: Json[] = [
    {
      tracking_provider: 'ups',
      custom_tracking_provider: '',
      custom_tracking_link: '',
      tracking_number: '1Z999AA10123456784',
      date_shipped: '1490227200',
      tracking_id: 'a1b2c3',
    },
  ],
): Json {
  const o = wooOrder();
  return { ...o, meta_data: [...o.meta_data, { id: 13200, key: '_wc_shipment_tracking_items', value: items }] };
}

/**
 * Coupons, two tax rates and a fee: 18.00 lines + 1.50 gift wrap + 10.00 shipping + (1.20 state + 0.60 county +
 * 0.14 shipping) tax − 2.00 coupon = 29.44.
 */
export const wooDiscountsAndTaxes = () =>
  wooCreated({
    discount_total: '2.00',
    discount_tax: '0.15',
    coupon_lines: [{ id: 320, code: 'save2', discount: '2.00', discount_tax: '0.15', meta_data: [] }],
    fee_lines: [
      {
        id: 321,
        name: 'Gift wrap',
        tax_class: '0',
        tax_status: 'none',
        total: '1.50',
        total_tax: '0.00',
        taxes: [],
        meta_data: [],
      },
    ],
    tax_lines: [
      {
        id: 318,
        rate_code: 'US-CA-STATE TAX',
        rate_id: 75,
        label: 'State Tax',
        compound: false,
        tax_total: '1.20',
        shipping_tax_total: '0.14',
        meta_data: [],
      },
      {
        id: 319,
        rate_code: 'US-CA-COUNTY TAX',
        rate_id: 76,
        label: 'County Tax',
        compound: false,
        tax_total: '0.60',
        shipping_tax_total: '0.00',
        meta_data: [],
      },
    ],
    cart_tax: '1.80',
    shipping_tax: '0.14',
    total_tax: '1.94',
    total: '29.44',
  });

/** JPY shop (0 decimals): ¥600 × 2 + ¥1,200 + ¥1,000 shipping + ¥240 tax = ¥3,640; WooCommerce writes "1200" or "1200.00" by its decimals setting. */
export const wooJpy = () =>
  wooCreated({
    currency: 'JPY',
    line_items: wooOrder().line_items.map((l: Json, i: number) => ({
      ...l,
      subtotal: i ? '1200' : '1200.00',
      total: i ? '1200' : '1200.00',
    })),
    shipping_total: '1000',
    total_tax: '240',
    total: '3640',
  });
