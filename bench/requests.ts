/**
 * A function's "real request" for the benchmarks: what it exists to answer, answered 2xx with the stack behind it.
 * - storefront-webhook: a validly signed order.created event (a new order each time) → 202;
 * - send-notification: a task storefront-webhook enqueued, as the emulator dispatched it (emulator-signed OIDC
 *   token, real payload) → 2xx after the email reached the mail sink;
 * - shopify-webhook, woocommerce-webhook: the platform's documented sample order (test/fixtures/), signed as the
 *   platform signs it, from a new shop each time (so a new order) → 2xx after the order is written and its
 *   notification enqueued.
 * Functions without an entry here are measured to "ready" only.
 */
import { platformDeliveries, type Platform } from '../local/dev/demo-deliveries.ts';
import { signWebhook } from '../shared/signature.ts';
import { created } from '../test/support/events.ts';
import { freePort, waitForHttp } from '../test/support/net.ts';
import { ROOT, SECRET, spawnFunction, stop, type BenchStack, type CapturedTask, type Variant } from './stack.ts';

let seq = 0;
const runId = Date.now().toString(36);

/** Posts one signed order.created event for a new order; returns the status. */
export async function postOrder(url: string): Promise<number> {
  const n = ++seq;
  const body = JSON.stringify(created(`bench-${runId}-${n}`, { number: String(n) }));
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-storefront-signature': signWebhook(SECRET, body, Math.floor(Date.now() / 1000)),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

/** Posts the platform's sample order.created/orders/create, signed, from a new shop; returns the status. */
export async function postPlatformOrder(platform: Platform, url: string): Promise<number> {
  const delivery = platformDeliveries(platform, {
    root: ROOT,
    url,
    secret: SECRET,
    runId: `bench-${runId}-${++seq}`,
  }).find((d) => d.expect === 'accepted')!;
  const res = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
  await res.arrayBuffer();
  return res.status;
}

/** Replays a captured task against a task target; returns the status. */
export async function postTask(url: string, task: CapturedTask): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(task.headers))
    if (k === 'authorization' || k.startsWith('x-cloudtasks-')) headers[k] = v;
  const res = await fetch(url, { method: 'POST', headers, body: task.body });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Makes `n` real notification tasks: a storefront-webhook bundle posts `n` orders, the emulator dispatches the tasks
 * to the capture target. Resolves with them (removed from the stack's capture list).
 */
export async function produceTasks(stack: BenchStack, dist: Variant, n: number): Promise<CapturedTask[]> {
  const port = await freePort();
  const child = spawnFunction(dist, 'storefront-webhook', port, stack.env('storefront-webhook'));
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitForHttp(url, 60_000, () => child.exitCode !== null);
    const before = stack.captured.length;
    for (let i = 0; i < n; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, n - i) }, async () => {
          const status = await postOrder(url);
          if (status !== 202) throw new Error(`storefront-webhook answered ${status}`);
        }),
      );
    }
    await stack.emulator.waitForIdle({ timeout: 120_000 });
    if (stack.captured.length - before < n)
      throw new Error(`only ${stack.captured.length - before} of ${n} tasks were dispatched`);
    return stack.captured.splice(before, n);
  } finally {
    await stop(child);
  }
}

/** The real request of each function that has one: send it to `url`, expect 2xx. */
export type RealRequest = (url: string) => Promise<number>;

export function realRequests(tasks: CapturedTask[]): Record<string, RealRequest> {
  return {
    'storefront-webhook': (url) => postOrder(url),
    'shopify-webhook': (url) => postPlatformOrder('shopify', url),
    'woocommerce-webhook': (url) => postPlatformOrder('woocommerce', url),
    'send-notification': (url) => {
      const task = tasks.shift();
      if (!task) throw new Error('no notification task left for send-notification');
      return postTask(url, task);
    },
  };
}
