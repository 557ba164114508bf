// Order notifications end to end, on one machine: a signed storefront webhook → storefront-webhook → our Cloud
// Tasks emulator (real REST client, real OIDC tokens signed by the emulator) → send-notification → the mail sink.
import { http } from '@google-cloud/functions-framework';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMailSink, type MailSink } from '../../local/mail-sink/server.ts';
import { startEmulator, type Emulator } from '../../local/tasks-emulator/index.ts';
import { createWebhookHandler } from '../../functions/storefront-webhook/handle.ts';
import { publicEndpoint } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { signWebhook } from '../../shared/signature.ts';
import { createStore } from '../../shared/store.ts';
import { createEnqueuer, createTasksClient, taskIdFor } from '../../shared/tasks.ts';
import { cancelled, created, shipped } from '../support/events.ts';
import { eventually } from '../support/eventually.ts';
import { testFirestore } from '../support/firestore.ts';
import { freePort } from '../support/net.ts';
import { serveFunction } from '../support/serve.ts';

const SECRET = 'whsec_local_0123456789abcdef';
const SA = 'tasks-invoker@storefront-local.iam.gserviceaccount.com';
const { db, host, projectId } = testFirestore('e2e');
const store = createStore(db);
let emulator: Emulator;
let sink: MailSink;
let webhook: { url: string; close(): Promise<void> };
let notifier: { url: string; close(): Promise<void> };
let webhookDown: { url: string; close(): Promise<void> };

beforeAll(async () => {
  sink = await startMailSink({ apiKey: 'SG.local' });
  emulator = await startEmulator({ port: 0, project: projectId, location: 'us-central1', queues: 'queues.json' });
  const notifierPort = await freePort();
  const notifierUrl = `http://127.0.0.1:${notifierPort}/`;
  Object.assign(process.env, {
    GOOGLE_CLOUD_PROJECT: projectId,
    FIRESTORE_EMULATOR_HOST: host,
    TASKS_LOCATION: 'us-central1',
    TASKS_INVOKER_SERVICE_ACCOUNT: SA,
    CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${emulator.port}`,
    STOREFRONT_WEBHOOK_SECRETS: `whsec_old_secret_000000,${SECRET}`,
    SEND_NOTIFICATION_URL: notifierUrl,
    OIDC_AUDIENCE: notifierUrl,
    OIDC_ALLOWED_EMAILS: SA,
    OIDC_ISSUERS: emulator.issuer,
    OIDC_JWKS_URL: emulator.jwksUrl,
    SENDGRID_API_KEY: 'SG.local',
    SENDGRID_BASE_URL: sink.url,
    MAIL_FROM: 'orders@shop.example',
    LOG_LEVEL: 'ERROR',
  });
  await import('../../functions/storefront-webhook/index.ts');
  await import('../../functions/send-notification/index.ts');
  webhook = await serveFunction('storefront-webhook');
  notifier = await serveFunction('send-notification', notifierPort);
  // The same webhook logic with Cloud Tasks unreachable.
  http('webhook-tasks-down', publicEndpoint({
    log: createLogger({ level: 'ERROR' }),
    project: projectId,
    handler: createWebhookHandler({
      store,
      enqueue: createEnqueuer({ client: createTasksClient({ emulatorHost: '127.0.0.1:1' }), project: projectId, location: 'us-central1', serviceAccount: SA, schemas: QUEUE_SCHEMAS, targets: { notifications: { url: notifierUrl } } }),
      secrets: [SECRET],
      toleranceSeconds: 300,
      now: Date.now,
    }),
  }));
  webhookDown = await serveFunction('webhook-tasks-down');
});
afterAll(async () => {
  await Promise.all([webhook?.close(), notifier?.close(), webhookDown?.close()]);
  await emulator?.close();
  await sink?.close();
  await db.terminate();
});
beforeEach(() => sink.clear());

function post(event: unknown, o: { url?: string; secret?: string; t?: number; contentType?: string; raw?: string } = {}) {
  const body = o.raw ?? JSON.stringify(event);
  const t = o.t ?? Math.floor(Date.now() / 1000);
  return fetch(o.url ?? webhook.url, {
    method: 'POST',
    headers: { 'content-type': o.contentType ?? 'application/json', 'x-storefront-signature': signWebhook(o.secret ?? SECRET, body, t) },
    body,
  });
}
type Accepted = { eventId: string; tasks: { queue: string; name: string; duplicate: boolean }[]; ignored?: boolean };

describe('order notifications end to end', () => {
  it('turns a signed order.created into one confirmation email, dispatched with an emulator-signed OIDC token', async () => {
    const e = created('e2e-1');
    const res = await post(e);
    expect(res.status).toBe(202);
    const body = (await res.json()) as Accepted;
    expect(body.eventId).toBe(e.id);
    expect(body.tasks).toEqual([{ queue: 'notifications', name: expect.stringMatching(new RegExp(`^projects/${projectId}/locations/us-central1/queues/notifications/tasks/[0-9a-f]{64}$`)), duplicate: false }]);
    await eventually(() => expect(sink.messages()).toHaveLength(1));
    expect(sink.messages()[0]).toMatchObject({ to: ['jane@example.com'], subject: 'Your order #1001 is confirmed' });
    const attempt = await eventually(() => emulator.dispatches({ task: body.tasks[0]!.name })[0] ?? false);
    expect(attempt).toMatchObject({ status: 204, outcome: 'succeeded' });
    expect(attempt!.requestHeaders['Authorization'] ?? attempt!.requestHeaders['authorization']).toMatch(/^Bearer ey/);
    expect((await store.getOrder('e2e-1'))?.status).toBe('created');
  });

  it('answers a redelivered event with duplicate: true and sends nothing new', async () => {
    const e = created('e2e-2');
    const first = (await (await post(e)).json()) as Accepted;
    await eventually(() => expect(sink.messages()).toHaveLength(1));
    const again = await post(e);
    expect(again.status).toBe(202);
    expect(((await again.json()) as Accepted).tasks).toEqual([{ ...first.tasks[0], duplicate: true }]);
    await emulator.waitForIdle();
    expect(sink.messages()).toHaveLength(1);
    expect(emulator.dispatches({ task: first.tasks[0]!.name })).toHaveLength(1);
  });

  it('retries a shipping update that arrives before its order, until the order is known', async () => {
    const s = shipped('e2e-3');
    const res = (await (await post(s)).json()) as Accepted;
    await eventually(() => expect(emulator.dispatches({ task: res.tasks[0]!.name })[0]).toMatchObject({ status: 503, outcome: 'retrying' }));
    expect(sink.messages()).toHaveLength(0);
    await post(created('e2e-3', { customer: { email: 'late@example.com' } }));
    await eventually(() => expect(sink.messages()).toHaveLength(1)); // the confirmation
    emulator.clock.advance(15_000); // past the queue's 10 s minBackoff
    await eventually(() => expect(sink.messages()).toHaveLength(2));
    expect(sink.messages().map((m) => m.subject).sort()).toEqual(['Your order #1001 has shipped', 'Your order #1001 is confirmed']);
    expect(sink.messages().every((m) => m.to[0] === 'late@example.com')).toBe(true);
  });

  it('keeps a cancellation when order.created arrives late', async () => {
    await post(cancelled('e2e-4'));
    await post(created('e2e-4'));
    const doc = await store.getOrder('e2e-4');
    expect(doc?.status).toBe('cancelled');
    expect(doc?.order?.id).toBe('e2e-4');
  });

  it('rejects an invalid event with 400 naming every bad field, writing and enqueuing nothing', async () => {
    const e = created('e2e-5', { total: 1, currency: 'XXQ' as 'EUR' });
    (e as any).data.order.customer.email = 'not-an-email';
    const res = await post(e);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(error.code).toBe('invalid-payload');
    expect(error.details.map((d) => d.path).sort()).toEqual(['data.order.currency', 'data.order.customer.email', 'data.order.total']);
    expect(await store.getOrder('e2e-5')).toBeUndefined();
    const task = `${emulator.queuePath('notifications')}/tasks/${taskIdFor('notifications', e.id)}`;
    const get = await fetch(`${emulator.url}/v2/${task}`);
    expect(get.status).toBe(404);
  });

  it.each([
    ['a bad signature', { secret: 'whsec_wrong_wrong_wrong' }, 401],
    ['a stale signature', { t: Math.floor(Date.now() / 1000) - 600 }, 401],
    ['another content type', { contentType: 'text/plain' }, 415],
    ['a body over the limit', { raw: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }) }, 413],
  ] as const)('answers %s with %s and records nothing', async (_n, o, status) => {
    const res = await post(created('e2e-6'), o);
    expect(res.status).toBe(status);
    expect(await store.getOrder('e2e-6')).toBeUndefined();
  });

  it('accepts a signature made with the older secret during a rotation', async () => {
    expect((await post(created('e2e-7'), { secret: 'whsec_old_secret_000000' })).status).toBe(202);
  });

  it('acknowledges and ignores an unknown event type', async () => {
    const res = await post({ id: 'evt-refund-1', type: 'order.refunded', createdAt: '2026-11-23T10:00:00Z', data: {} });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ eventId: 'evt-refund-1', ignored: true, tasks: [] });
  });

  it('answers 405 to GET', async () => {
    expect((await fetch(webhook.url)).status).toBe(405);
  });

  it('answers 503 when Cloud Tasks is unavailable, and the retry converges', async () => {
    const e = created('e2e-8');
    const res = await post(e, { url: webhookDown.url });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('dependency-unavailable');
    // The storefront retries against the healthy webhook: the event is enqueued once and mailed once.
    const retry = (await (await post(e)).json()) as Accepted;
    expect(retry.tasks[0]?.duplicate).toBe(false);
    await eventually(() => expect(sink.messages()).toHaveLength(1));
  });
});
