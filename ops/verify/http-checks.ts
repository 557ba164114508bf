/**
 * The checks `deploy.sh verify` and `npm run verify` make from the outside, over HTTP: each webhook refuses an
 * unsigned POST with 401 and accepts a signed test delivery that changes nothing (the storefront's `ping`, a Shopify
 * delivery marked `X-Shopify-Test: true`, a WooCommerce delivery of a topic we do not act on); each private function
 * (task target, `schedule-reports`) refuses a call without a token or with a malformed one. Every request has a time
 * limit, so a function that hangs shows in the table by name.
 */
import type { Access } from '../../local/stack-file.ts';
import { signBase64 } from '../../shared/platforms/hmac-base64.ts';
import { SHOPIFY_HMAC_HEADER } from '../../shared/platforms/shopify/verify.ts';
import { WOOCOMMERCE_SIGNATURE_HEADER } from '../../shared/platforms/woocommerce/verify.ts';
import { SIGNATURE_HEADER, signWebhook } from '../../shared/signature.ts';

/** One function to check: where it is, how it is called, and for a webhook its signing secrets. */
export interface HttpTarget {
  name: string;
  url: string;
  access: Access;
  /** The webhook's secret setting as the function reads it (comma-separated); the newest (last) one signs. */
  secrets?: string;
  /** The statuses that count as refusing a call without a valid token. @default [401] */
  refused?: number[];
}

/** One row of the table. */
export interface Row {
  check: string;
  expected: string;
  found: string;
  ok: boolean;
}

/** A signed test delivery for one webhook, and how to tell from the answer that it was taken as a test. */
interface TestDelivery {
  headers(secret: string, body: string, now: number): Record<string, string>;
  body(now: number): string;
  /** What a 2xx answer's JSON shows for a test delivery. */
  marker: string;
  isTest(answer: unknown): boolean;
}

const json = { 'content-type': 'application/json' };
const field = (answer: unknown, key: string): unknown =>
  answer && typeof answer === 'object' ? (answer as Record<string, unknown>)[key] : undefined;

/** A platform delivery signed as the platforms sign (base64 HMAC of the body) that the webhook acknowledges and ignores. */
const ignoredDelivery = (
  signatureHeader: string,
  platformHeaders: (now: number) => Record<string, string>,
): TestDelivery => ({
  body: () => '{}',
  headers: (secret, body, now) => ({ ...json, ...platformHeaders(now), [signatureHeader]: signBase64(secret, body) }),
  marker: '"ignored":true',
  isTest: (a) => field(a, 'ignored') === true,
});

/** The test delivery of each webhook, by function name. */
export const TEST_DELIVERIES: Record<string, TestDelivery> = {
  'storefront-webhook': {
    body: (now) =>
      JSON.stringify({ id: `verify-${now}`, type: 'ping', createdAt: new Date(now).toISOString(), data: {} }),
    headers: (secret, body, now) => ({
      ...json,
      [SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(now / 1000)),
    }),
    marker: '"ping":true',
    isTest: (a) => field(a, 'ping') === true,
  },
  'shopify-webhook': ignoredDelivery(SHOPIFY_HMAC_HEADER, (now) => ({
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': 'verify.myshopify.com',
    'x-shopify-test': 'true',
    'x-shopify-webhook-id': `verify-${now}`,
  })),
  'woocommerce-webhook': ignoredDelivery(WOOCOMMERCE_SIGNATURE_HEADER, (now) => ({
    'x-wc-webhook-topic': 'action.storefront_jobs_verify',
    'x-wc-webhook-source': 'https://verify.example/',
    'x-wc-webhook-delivery-id': `verify-${now}`,
  })),
};

/** What came back: the status and JSON body, or why nothing did. */
type Answer = { status: number; body: unknown } | { error: string };

async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') return { error: `no answer within ${timeoutMs / 1000} s` };
    return { error: `no answer (${e.cause?.code ?? e.message})` };
  }
}

const statusRow = (check: string, expected: number[], a: Answer): Row => {
  const want = expected.join(' or ');
  return 'error' in a
    ? { check, expected: want, found: a.error, ok: false }
    : { check, expected: want, found: String(a.status), ok: expected.includes(a.status) };
};

/** The rows for one function. */
async function checkOne(t: HttpTarget, timeoutMs: number, now: number): Promise<Row[]> {
  if (t.access !== 'public') {
    const noToken = await post(t.url, json, '{}', timeoutMs);
    const badToken = await post(t.url, { ...json, authorization: 'Bearer not-a-token' }, '{}', timeoutMs);
    const refused = t.refused ?? [401];
    return [
      statusRow(`${t.name}: call without a token`, refused, noToken),
      statusRow(`${t.name}: call with a malformed token`, refused, badToken),
    ];
  }
  const rows = [statusRow(`${t.name}: unsigned POST`, [401], await post(t.url, json, '{}', timeoutMs))];
  const test = TEST_DELIVERIES[t.name];
  const check = `${t.name}: signed test delivery`;
  if (!test) return [...rows, { check, expected: 'a test delivery', found: 'none known for this function', ok: false }];
  const secret = t.secrets
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .at(-1);
  if (!secret) return [...rows, { check, expected: `2xx ${test.marker}`, found: 'no secret to sign with', ok: false }];
  const body = test.body(now);
  const a = await post(t.url, test.headers(secret, body, now), body, timeoutMs);
  if ('error' in a) return [...rows, { check, expected: `2xx ${test.marker}`, found: a.error, ok: false }];
  const ok = a.status >= 200 && a.status < 300 && test.isTest(a.body);
  return [
    ...rows,
    { check, expected: `2xx ${test.marker}`, found: `${a.status} ${JSON.stringify(a.body) ?? '(not JSON)'}`, ok },
  ];
}

/** Every HTTP check of `targets`, in their order; the functions are checked at the same time. */
export async function httpChecks(targets: HttpTarget[], o: { timeoutMs: number; now?: number }): Promise<Row[]> {
  const now = o.now ?? Date.now();
  return (await Promise.all(targets.map((t) => checkOne(t, o.timeoutMs, now)))).flat();
}
