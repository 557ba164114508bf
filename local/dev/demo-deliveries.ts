/**
 * What `npm run demo` sends, as signed HTTP deliveries: the storefront events of demo-events.ts to
 * storefront-webhook, or with `--platform shopify|woocommerce` that platform's documented sample payloads
 * (test/fixtures/<platform>/, sources in their READMEs), signed as the platform signs them (base64 HMAC-SHA256 of
 * the raw body with the stack's webhook secret), with the platform's headers. Ids carry the run id (the shop is
 * named after the run), so every run is new to the stack, whose state persists.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoEvents } from './demo-events.ts';
import type { StackInfo } from '../stack-file.ts';

export interface Delivery {
  label: string;
  /** The event id the webhook should answer with ('' when it should answer none). */
  eventId: string;
  orderId: string;
  expect: 'accepted' | 'duplicate' | 'rejected' | 'ping';
  url: string;
  headers: Record<string, string>;
  body: string;
  /** A cancellation: sent once the order's confirmation is out. */
  cancels?: boolean;
}

export type Platform = 'shopify' | 'woocommerce';

/** Signs like a storefront: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signature(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** The storefront events of demo-events.ts as signed deliveries to storefront-webhook. */
function storefrontDeliveries(stack: StackInfo, runId: string, now?: Date): Delivery[] {
  return demoEvents(runId, now).map((e) => {
    const body = JSON.stringify(e.event);
    return {
      label: e.label,
      eventId: String(e.event.id),
      orderId: e.orderId,
      expect: e.expect,
      cancels: e.event.type === 'order.cancelled',
      url: stack.webhook.url,
      body,
      headers: { 'content-type': 'application/json', [stack.webhook.header]: signature(stack.webhook.secret, body) },
    };
  });
}

export function demoDeliveries(
  stack: StackInfo,
  o: { root: string; runId: string; platform?: Platform | undefined; now?: Date | undefined },
): Delivery[] {
  const { root, runId, platform } = o;
  if (!platform) return storefrontDeliveries(stack, runId, o.now);
  const fn = stack.functions[`${platform}-webhook`];
  if (!fn) throw new Error(`The running stack has no ${platform}-webhook`);
  return platformDeliveries(platform, { root, url: fn.url, secret: stack.webhook.secret, runId });
}

/** A fixture as compact JSON with its ids digit for digit (no JSON.parse rounding). */
function sample(root: string, path: string, edit: (text: string) => string = (t) => t): string {
  return edit(readFileSync(join(root, 'test', 'fixtures', path), 'utf8'))
    .replace(/\n\s*/g, '')
    .replace(/": /g, '":');
}

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64');

export function platformDeliveries(
  platform: Platform,
  o: { root: string; url: string; secret: string; runId: string },
): Delivery[] {
  return platform === 'shopify' ? shopify(o) : woocommerce(o);
}

function shopify(o: { root: string; url: string; secret: string; runId: string }): Delivery[] {
  const shop = `demo-${o.runId}.myshopify.com`;
  const order = `shopify:${shop}:820982911946154508`;
  const send = (label: string, topic: string, body: string, expect: Delivery['expect'], eventId: string): Delivery => ({
    label,
    eventId,
    orderId: order,
    expect,
    url: o.url,
    body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': shop,
      'x-shopify-api-version': '2026-07',
      'x-shopify-event-id': randomUUID(),
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-hmac-sha256': sign(o.secret, body),
    },
  });
  const created = sample(o.root, 'shopify/orders-sample.json');
  return [
    send(
      'orders/create (documented sample, USD)',
      'orders/create',
      created,
      'accepted',
      `shopify:${shop}:order:820982911946154508:created`,
    ),
    send(
      'orders/create again (redelivery)',
      'orders/create',
      created,
      'duplicate',
      `shopify:${shop}:order:820982911946154508:created`,
    ),
    send(
      'fulfillments/create (UPS tracking)',
      'fulfillments/create',
      sample(o.root, 'shopify/fulfillments-create.json'),
      'accepted',
      `shopify:${shop}:fulfillment:123456`,
    ),
    send(
      'orders/create whose sums do not add up',
      'orders/create',
      sample(o.root, 'shopify/orders-sample.json', (t) =>
        t.replace('"id": 820982911946154508', '"id": 1').replace('"total_price": "404.95"', '"total_price": "999.00"'),
      ),
      'rejected',
      '',
    ),
  ];
}

function woocommerce(o: { root: string; url: string; secret: string; runId: string }): Delivery[] {
  const shop = `demo-${o.runId}.woo.example`;
  const order = `woocommerce:${shop}:727`;
  const send = (label: string, topic: string, body: string, expect: Delivery['expect'], eventId: string): Delivery => ({
    label,
    eventId,
    orderId: order,
    expect,
    url: o.url,
    body,
    headers: {
      'content-type': 'application/json',
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-source': `https://${shop}/`,
      'x-wc-webhook-delivery-id': randomUUID(),
      'x-wc-webhook-signature': sign(o.secret, body),
    },
  });
  const created = sample(o.root, 'woocommerce/order.json', (t) =>
    t.replace('"status": "completed"', '"status": "processing"'),
  );
  const tracked = sample(o.root, 'woocommerce/order.json', (t) =>
    t.replace(
      '"meta_data": [\n',
      '"meta_data": [{"key": "_wc_shipment_tracking_items", "value": [{"tracking_provider": "ups", "tracking_number": "1Z999AA10123456784", "date_shipped": "1490227200"}]},\n',
    ),
  );
  return [
    {
      label: 'ping (webhook saved)',
      eventId: '',
      orderId: order,
      expect: 'ping',
      url: o.url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'webhook_id=1',
    },
    send(
      'order.created (documented order 727, USD)',
      'order.created',
      created,
      'accepted',
      `woocommerce:${shop}:order:727:created`,
    ),
    send(
      'order.created again (redelivery)',
      'order.created',
      created,
      'duplicate',
      `woocommerce:${shop}:order:727:created`,
    ),
    send(
      'order.updated completed + Shipment Tracking',
      'order.updated',
      tracked,
      'accepted',
      `woocommerce:${shop}:order:727:shipped:1Z999AA10123456784`,
    ),
    send(
      'order.created whose total does not add up',
      'order.created',
      created.replace('"total":"29.35"', '"total":"99.35"').replace('"id":727', '"id":728'),
      'rejected',
      '',
    ),
  ];
}
