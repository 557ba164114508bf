// Whatever JSON a platform (or anyone holding the secret) sends, translation answers an event, "ignored", or a
// 400 naming fields: never another exception, which would be a 500 and make the platform retry for hours.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestError } from '../../../shared/errors.ts';
import { parseExactJson } from '../../../shared/platforms/exact-json.ts';
import { SHOPIFY_TOPICS } from '../../../shared/platforms/shopify/map.ts';
import { translateShopify } from '../../../shared/platforms/shopify/translate.ts';
import type { Translation } from '../../../shared/platforms/translation.ts';
import { translateWooCommerce } from '../../../shared/platforms/woocommerce/translate.ts';
import * as fx from '../../support/platform-fixtures.ts';

function outcome(fn: () => Translation): 'event' | 'ignored' | 'rejected' {
  try {
    return 'event' in fn() ? 'event' : 'ignored';
  } catch (err) {
    if (err instanceof RequestError && err.status === 400) return 'rejected';
    throw err;
  }
}

/** A fixture with one field (at any depth) replaced by an arbitrary JSON value. */
function mutated(fixture: Record<string, unknown>): fc.Arbitrary<unknown> {
  const base = JSON.parse(fx.platformJson(fixture)) as Record<string, unknown>;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (v && typeof v === 'object')
      for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
  };
  walk(base, []);
  return fc.tuple(fc.constantFrom(...paths.slice(1)), fc.jsonValue({ maxDepth: 2 })).map(([path, value]) => {
    const copy = structuredClone(base) as any;
    let target = copy;
    for (const k of path.slice(0, -1)) target = target[k];
    target[path.at(-1)!] = value;
    return copy;
  });
}

const shopify = (topic: string, body: unknown) =>
  translateShopify({ topic, shop: 'fuzz.myshopify.com', deliveryId: undefined }, parseExactJson(JSON.stringify(body)));
const woo = (topic: string, body: unknown) =>
  translateWooCommerce({ topic, shop: 'fuzz.example', deliveryId: undefined }, parseExactJson(JSON.stringify(body)));

describe('platform translation under arbitrary input', () => {
  it.each(Object.keys(SHOPIFY_TOPICS))('Shopify %s: any JSON, and the sample with any field replaced', (topic) => {
    const base =
      topic === 'fulfillments/create'
        ? fx.shopifyFulfillment()
        : fx.shopifyOrder({ fulfillments: [fx.shopifyFulfillment()] });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), mutated(base)), (body) => void outcome(() => shopify(topic, body))),
      { numRuns: 300 },
    );
  });

  it.each(['order.created', 'order.updated'])(
    'WooCommerce %s: any JSON, and the sample with any field replaced',
    (topic) => {
      const base = topic === 'order.created' ? fx.wooCreated() : fx.wooCompletedWithTracking();
      fc.assert(
        fc.property(fc.oneof(fc.jsonValue(), mutated(base)), (body) => void outcome(() => woo(topic, body))),
        { numRuns: 300 },
      );
    },
  );

  it('still translates the unmodified samples (the properties above are not vacuous)', () => {
    expect(outcome(() => shopify('orders/create', fx.shopifyOrder()))).toBe('event');
    expect(outcome(() => woo('order.created', fx.wooCreated()))).toBe('event');
    expect(outcome(() => shopify('orders/create', { id: 1 }))).toBe('rejected');
  });
});
