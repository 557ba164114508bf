// Shopify and WooCommerce deliveries end to end, on one machine: a signed platform webhook → shopify-webhook /
// woocommerce-webhook → our Cloud Tasks emulator → send-notification → the mail sink. Every fixture ends in the
// outbox (the right email, once) or in the right 4xx with nothing stored.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signBase64 } from '../../shared/platforms/hmac-base64.ts';
import { taskIdFor } from '../../shared/tasks.ts';
import { eventually } from '../support/eventually.ts';
import * as fx from '../support/platform-fixtures.ts';
import { serveFunction } from '../support/serve.ts';
import { startStack, type Stack } from '../support/stack.ts';

const SHOPIFY_SECRET = 'shpss_local_0123456789abcdef';
const SHOPIFY_OLD_SECRET = 'shpss_old_0123456789abcdef';
const WOO_SECRET = 'wcsec_local_0123456789abcdef';

let stack: Stack;
let shopify: { url: string; close(): Promise<void> };
let woo: { url: string; close(): Promise<void> };

beforeAll(async () => {
  // Firestore's first transaction on a loaded machine can take seconds: give it more than the 10 s default.
  stack = await startStack({
    env: {
      SHOPIFY_WEBHOOK_SECRETS: `${SHOPIFY_OLD_SECRET},${SHOPIFY_SECRET}`,
      WOOCOMMERCE_WEBHOOK_SECRETS: WOO_SECRET,
      FIRESTORE_TIMEOUT_MS: '60000',
    },
  });
  await import('../../functions/shopify-webhook/index.ts');
  await import('../../functions/woocommerce-webhook/index.ts');
  shopify = await serveFunction('shopify-webhook');
  woo = await serveFunction('woocommerce-webhook');
});
afterAll(async () => {
  await shopify?.close();
  await woo?.close();
  await stack?.close();
});
beforeEach(() => stack.sink.clear());

type Sent = { body?: string; secret?: string; headers?: Record<string, string> };
/** A delivery as Shopify sends it: compact JSON, signed over the exact bytes, with its headers. */
function postShopify(shop: string, topic: string, payload: unknown, o: Sent = {}): Promise<Response> {
  const body = o.body ?? fx.platformJson(payload);
  return fetch(shopify.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': shop,
      'x-shopify-api-version': '2026-07',
      'x-shopify-webhook-id': crypto.randomUUID(),
      'x-shopify-event-id': crypto.randomUUID(),
      'x-shopify-triggered-at': new Date().toISOString(),
      'x-shopify-hmac-sha256': signBase64(o.secret ?? SHOPIFY_SECRET, body),
      ...o.headers,
    },
    body,
  });
}
/** A delivery as WooCommerce sends it. */
function postWoo(shop: string, topic: string, payload: unknown, o: Sent = {}): Promise<Response> {
  const body = o.body ?? fx.platformJson(payload);
  const [resource, event] = topic.split('.');
  return fetch(woo.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'WooCommerce/9.4.0 Hookshot (WordPress/6.7)',
      'x-wc-webhook-source': `https://${shop}/`,
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-resource': resource!,
      'x-wc-webhook-event': event!,
      'x-wc-webhook-id': '12',
      'x-wc-webhook-delivery-id': crypto.randomUUID().replace(/-/g, ''),
      'x-wc-webhook-signature': signBase64(o.secret ?? WOO_SECRET, body),
      ...o.headers,
    },
    body,
  });
}
const mailsFor = (eventId: string) =>
  stack.sink.messages().filter((m) => (m.request.custom_args as { eventId?: string } | undefined)?.eventId === eventId);
const SHOPIFY_ORDER = '820982911946154508';
type Accepted = { eventId: string; tasks: { name: string; duplicate: boolean }[] };

/** Nothing of `eventId` stored or enqueued, and no order `orderId`. */
async function nothingStored(orderId: string, eventId: string): Promise<void> {
  expect(await stack.store.getOrder(orderId)).toBeUndefined();
  const task = `${stack.emulator.queuePath('notifications')}/tasks/${taskIdFor('notifications', eventId)}`;
  expect((await fetch(`${stack.emulator.url}/v2/${task}`)).status).toBe(404);
}

describe('shopify-webhook', () => {
  it("turns Shopify's documented orders/create sample into one confirmation, and a redelivery into nothing new", async () => {
    const shop = 'sample.myshopify.com';
    const res = await postShopify(shop, 'orders/create', fx.shopifyOrder());
    expect(res.status).toBe(200);
    const body = (await res.json()) as Accepted;
    expect(body).toMatchObject({
      eventId: `shopify:${shop}:order:${SHOPIFY_ORDER}:created`,
      tasks: [{ duplicate: false }],
    });
    await eventually(() => expect(mailsFor(body.eventId)).toHaveLength(1));
    const mail = mailsFor(body.eventId)[0]!;
    expect(mail).toMatchObject({ to: ['jon@example.com'], subject: 'Your order #9999 is confirmed' });
    expect(mail.text).toContain('$404.95');
    const stored = await stack.store.getOrder(`shopify:${shop}:${SHOPIFY_ORDER}`);
    expect(stored?.order?.source).toEqual({ platform: 'shopify', shop });

    const again = await postShopify(shop, 'orders/create', fx.shopifyOrder());
    expect(again.status).toBe(200);
    expect(((await again.json()) as Accepted).tasks).toEqual([{ ...body.tasks[0], duplicate: true }]);
    await stack.emulator.waitForIdle();
    expect(mailsFor(body.eventId)).toHaveLength(1);
    // Both deliveries are on the order's timeline, with the platform, its delivery id and the answer.
    const notes = await stack.store.deliveriesOf(body.eventId);
    expect(notes.map((n) => [n.platform, n.answer, n.status])).toEqual([
      ['shopify', 'accepted', 200],
      ['shopify', 'duplicate', 200],
    ]);
    expect(notes.every((n) => typeof n.deliveryId === 'string' && n.deliveryId.length > 0)).toBe(true);
  });

  it('sends one shipping email per fulfillment (a partial one too), and none again for orders/fulfilled of the same fulfillment', async () => {
    const shop = 'ships.myshopify.com';
    await postShopify(shop, 'orders/create', fx.shopifyOrder());
    const first = (await (
      await postShopify(shop, 'fulfillments/create', fx.shopifyPartialFulfillment(1001, '1Z0001', 'SKU2006-001'))
    ).json()) as Accepted;
    const second = (await (await postShopify(shop, 'fulfillments/create', fx.shopifyFulfillment())).json()) as Accepted;
    await eventually(() => expect([mailsFor(first.eventId).length, mailsFor(second.eventId).length]).toEqual([1, 1]));
    expect(mailsFor(second.eventId)[0]!.subject).toBe('Your order #9999 has shipped');
    expect(mailsFor(second.eventId)[0]!.text).toContain('1z827wk74630');
    const fulfilled = await postShopify(
      shop,
      'orders/fulfilled',
      fx.shopifyOrder({ fulfillments: [fx.shopifyFulfillment()] }),
    );
    expect(((await fulfilled.json()) as Accepted).tasks[0]!.duplicate).toBe(true);
    await stack.emulator.waitForIdle();
    expect(mailsFor(second.eventId)).toHaveLength(1);
    expect((await stack.store.getOrder(`shopify:${shop}:${SHOPIFY_ORDER}`))?.status).toBe('shipped');
  });

  it.each([
    ['JPY', fx.shopifyJpy, '¥40,495'],
    ['KWD', fx.shopifyKwd, 'KWD 40.495'],
  ])('confirms a %s order with its amounts converted exactly', async (currency, payload, total) => {
    const res = (await (
      await postShopify(`${currency.toLowerCase()}.myshopify.com`, 'orders/create', payload())
    ).json()) as Accepted;
    await eventually(() => expect(mailsFor(res.eventId)).toHaveLength(1));
    expect(mailsFor(res.eventId)[0]!.text?.replace(/\s/g, ' ')).toContain(total.replace(/\s/g, ' '));
  });

  it('sends the cancellation once the order arrives when orders/cancelled comes first, and no confirmation', async () => {
    const shop = 'early-cancel.myshopify.com';
    const c = (await (await postShopify(shop, 'orders/cancelled', fx.shopifyOrder())).json()) as Accepted;
    await eventually(() =>
      expect(stack.emulator.dispatches({ task: c.tasks[0]!.name })[0]).toMatchObject({ status: 503 }),
    );
    const o = (await (await postShopify(shop, 'orders/create', fx.shopifyOrder())).json()) as Accepted;
    await eventually(() =>
      expect(stack.emulator.dispatches({ task: o.tasks[0]!.name })[0]).toMatchObject({ status: 204 }),
    );
    stack.emulator.clock.advance(15_000); // past the queue's 10 s minBackoff
    await eventually(() => expect(mailsFor(c.eventId)).toHaveLength(1));
    expect(mailsFor(c.eventId)[0]!.subject).toBe('Your order #9999 was cancelled');
    expect(mailsFor(c.eventId)[0]!.text).toContain('cancelled at your request');
    expect(mailsFor(o.eventId)).toHaveLength(0);
  });

  it('accepts a delivery signed with the older secret during a rotation', async () => {
    expect(
      (await postShopify('rotation.myshopify.com', 'orders/create', fx.shopifyOrder(), { secret: SHOPIFY_OLD_SECRET }))
        .status,
    ).toBe(200);
  });

  it.each([
    ['a wrong signature', { secret: 'shpss_wrong_0123456789abcdef' }, 401, 'unauthenticated'],
    ['no signature', { headers: { 'x-shopify-hmac-sha256': '' } }, 401, 'unauthenticated'],
    [
      'a body re-serialised by a proxy',
      {
        body: JSON.stringify(JSON.parse(fx.platformJson(fx.shopifyOrder())), null, 2),
        bodySignedAs: fx.platformJson(fx.shopifyOrder()),
      },
      401,
      'unauthenticated',
    ],
    ['no shop domain', { headers: { 'x-shopify-shop-domain': '' } }, 400, 'invalid-request'],
    [
      'sums that cannot be mapped',
      { body: fx.platformJson(fx.shopifyOrder({ total_price: '409.95' })) },
      400,
      'invalid-payload',
    ],
    [
      'an amount with too many decimals',
      { body: fx.platformJson(fx.shopifyOrder({ total_tax: '0.001' })) },
      400,
      'invalid-payload',
    ],
  ] as const)('answers %s with %s, storing and enqueuing nothing', async (name, o, status, code) => {
    const shop = `reject-${name.replace(/\W+/g, '-')}.myshopify.com`;
    const sent =
      'bodySignedAs' in o
        ? await postShopify(shop, 'orders/create', null, {
            body: o.body,
            headers: { 'x-shopify-hmac-sha256': signBase64(SHOPIFY_SECRET, o.bodySignedAs) },
          })
        : await postShopify(shop, 'orders/create', fx.shopifyOrder(), o as Sent);
    expect(sent.status).toBe(status);
    expect(((await sent.json()) as { error: { code: string } }).error.code).toBe(code);
    await nothingStored(`shopify:${shop}:${SHOPIFY_ORDER}`, `shopify:${shop}:order:${SHOPIFY_ORDER}:created`);
  });

  it('acknowledges a topic it does not act on with 200 and stores nothing', async () => {
    const res = await postShopify('other-topic.myshopify.com', 'orders/updated', fx.shopifyOrder());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ignored: true, reason: 'topic orders/updated is not one we act on' });
    await nothingStored(
      `shopify:other-topic.myshopify.com:${SHOPIFY_ORDER}`,
      `shopify:other-topic.myshopify.com:order:${SHOPIFY_ORDER}:created`,
    );
  });
});

describe('woocommerce-webhook', () => {
  it('answers the ping WooCommerce sends when the webhook is saved', async () => {
    const res = await fetch(woo.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'webhook_id=12',
    });
    expect(res.status).toBe(200);
  });

  it('turns the documented order into a confirmation, completed-without-tracking into a status change, then completed-with-tracking into a shipping email, each once', async () => {
    const shop = 'woo-ships.example';
    const created = (await (await postWoo(shop, 'order.created', fx.wooCreated())).json()) as Accepted;
    expect(created.eventId).toBe(`woocommerce:${shop}:order:727:created`);
    await eventually(() => expect(mailsFor(created.eventId)).toHaveLength(1));
    expect(mailsFor(created.eventId)[0]).toMatchObject({
      to: ['john.doe@example.com'],
      subject: 'Your order #727 is confirmed',
    });
    expect(mailsFor(created.eventId)[0]!.text).toContain('$29.35');

    const completed = await postWoo(shop, 'order.updated', fx.wooOrder());
    expect(completed.status).toBe(200);
    expect(await completed.json()).toEqual({ eventId: `woocommerce:${shop}:order:727:completed`, tasks: [] });
    expect(await stack.store.getOrder(`woocommerce:${shop}:727`)).toMatchObject({
      status: 'completed',
      statusAt: { completed: '2017-03-22T19:30:35Z' },
    });
    const shipped = (await (await postWoo(shop, 'order.updated', fx.wooCompletedWithTracking())).json()) as Accepted;
    const again = (await (await postWoo(shop, 'order.updated', fx.wooCompletedWithTracking())).json()) as Accepted;
    expect(again.tasks[0]!.duplicate).toBe(true);
    await eventually(() => expect(mailsFor(shipped.eventId)).toHaveLength(1));
    expect(mailsFor(shipped.eventId)[0]!.text).toContain('1Z999AA10123456784');
    await stack.emulator.waitForIdle();
    expect(mailsFor(shipped.eventId)).toHaveLength(1);
    expect(mailsFor(`woocommerce:${shop}:order:727:completed`)).toHaveLength(0);
    expect((await stack.store.getOrder(`woocommerce:${shop}:727`))?.status).toBe('completed');
  });

  it('sends the cancellation for status cancelled', async () => {
    const shop = 'woo-cancel.example';
    await postWoo(shop, 'order.created', fx.wooDiscountsAndTaxes());
    const c = (await (await postWoo(shop, 'order.updated', fx.wooOrder({ status: 'cancelled' }))).json()) as Accepted;
    await eventually(() => expect(mailsFor(c.eventId)).toHaveLength(1));
    expect(mailsFor(c.eventId)[0]!.subject).toBe('Your order #727 was cancelled');
  });

  it.each([
    ['a wrong signature', { secret: 'wcsec_wrong_0123456789abcdef' }, 401],
    [
      'a body re-serialised by a proxy',
      {
        body: JSON.stringify(JSON.parse(fx.platformJson(fx.wooCreated())), null, 2),
        headers: { 'x-wc-webhook-signature': signBase64(WOO_SECRET, fx.platformJson(fx.wooCreated())) },
      },
      401,
    ],
    ['a total that does not add up', { body: fx.platformJson(fx.wooCreated({ total: '30.35' })) }, 400],
  ] as const)('answers %s with %s, storing and enqueuing nothing', async (name, o, status) => {
    const shop = `woo-reject-${name.replace(/\W+/g, '-')}.example`;
    const res = await postWoo(shop, 'order.created', fx.wooCreated(), o as Sent);
    expect(res.status).toBe(status);
    await nothingStored(`woocommerce:${shop}:727`, `woocommerce:${shop}:order:727:created`);
  });
});
