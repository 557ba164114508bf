// What the platform webhooks log: every rejected request once, at WARNING, with its reason, and no personal data
// (the sample orders carry emails, names and street addresses); an ignored delivery at INFO.
import { http } from '@google-cloud/functions-framework';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publicEndpoint } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { createPlatformHandler } from '../../shared/platforms/hand-over.ts';
import { signBase64 } from '../../shared/platforms/hmac-base64.ts';
import { SHOPIFY } from '../../shared/platforms/shopify/adapter.ts';
import { WOOCOMMERCE } from '../../shared/platforms/woocommerce/adapter.ts';
import * as fx from '../support/platform-fixtures.ts';
import { serveFunction } from '../support/serve.ts';

const SECRET = 'secret_0123456789abcdef';
const lines: Record<string, unknown>[] = [];
const log = createLogger({ level: 'DEBUG', write: (line) => lines.push(JSON.parse(line)) });
const servers: { url: string; close(): Promise<void> }[] = [];
/** No request in this file gets as far as the intake: its clients would throw. */
const intake = { orders: {} as never, enqueue: (() => Promise.reject(new Error('not reached'))) as never };

beforeAll(async () => {
  http(
    'shopify-log-test',
    publicEndpoint({ log, project: 'p', handler: createPlatformHandler(SHOPIFY, { secrets: [SECRET], intake }) }),
  );
  http(
    'woocommerce-log-test',
    publicEndpoint({ log, project: 'p', handler: createPlatformHandler(WOOCOMMERCE, { secrets: [SECRET], intake }) }),
  );
  servers.push(await serveFunction('shopify-log-test'), await serveFunction('woocommerce-log-test'));
});
afterAll(async () => {
  for (const s of servers) await s.close();
});
beforeEach(() => {
  lines.length = 0;
});

const PERSONAL = [
  'jon@example.com',
  'john@example.com',
  'john.doe@example.com',
  'Shipping Street',
  '969 Market',
  'Steve',
  'Shipper',
  'Smith',
  'John',
  '555-',
];

function send(i: number, headers: Record<string, string>, body: string): Promise<Response> {
  return fetch(servers[i]!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}
const shopify = (topic: string, payload: unknown, secret = SECRET) => {
  const body = fx.platformJson(payload);
  return send(
    0,
    {
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': 'logs.myshopify.com',
      'x-shopify-hmac-sha256': signBase64(secret, body),
    },
    body,
  );
};
const woo = (payload: unknown, secret = SECRET) => {
  const body = fx.platformJson(payload);
  return send(
    1,
    {
      'x-wc-webhook-topic': 'order.created',
      'x-wc-webhook-source': 'https://logs.example/',
      'x-wc-webhook-signature': signBase64(secret, body),
    },
    body,
  );
};

describe('platform webhook logs', () => {
  it.each([
    [
      'a wrong Shopify signature',
      () => shopify('orders/create', fx.shopifyOrder(), 'secret_wrong_0123456789'),
      401,
      /X-Shopify-Hmac-Sha256 does not match/,
    ],
    [
      'Shopify sums that cannot be mapped',
      () => shopify('orders/create', fx.shopifyOrder({ total_price: '1.00' })),
      400,
      /total_price: is 100 minor units/,
    ],
    [
      'a Shopify address without a city',
      () =>
        shopify(
          'orders/create',
          fx.shopifyOrder({ shipping_address: { ...fx.shopifyOrder().shipping_address, city: '' } }),
        ),
      400,
      /shipping_address.city: is required/,
    ],
    [
      'a wrong WooCommerce signature',
      () => woo(fx.wooCreated(), 'secret_wrong_0123456789'),
      401,
      /X-WC-Webhook-Signature does not match/,
    ],
    [
      'a WooCommerce order with a bad amount',
      () => woo(fx.wooCreated({ total: '29.355' })),
      400,
      /total: has 3 decimals/,
    ],
  ])('logs %s once at WARNING with the reason, and nothing personal', async (_n, request, status, reason) => {
    const res = await request();
    expect(res.status).toBe(status);
    const warnings = lines.filter((l) => l.severity === 'WARNING');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.reason).toMatch(reason);
    expect(lines.filter((l) => l.severity !== 'DEBUG')).toHaveLength(1);
    const text = JSON.stringify(lines);
    for (const p of PERSONAL) expect(text).not.toContain(p);
  });

  it('logs an ignored delivery once at INFO with the reason, and nothing personal', async () => {
    expect((await shopify('orders/updated', fx.shopifyOrder())).status).toBe(200);
    expect(lines.filter((l) => l.severity !== 'DEBUG')).toEqual([
      expect.objectContaining({
        severity: 'INFO',
        reason: 'topic orders/updated is not one we act on',
        shop: 'logs.myshopify.com',
      }),
    ]);
    for (const p of PERSONAL) expect(JSON.stringify(lines)).not.toContain(p);
  });
});
