// send-notification against real parts: the Firestore emulator, the SendGrid-compatible mail sink over HTTP,
// and OIDC tokens signed with real keys served from a real JWKS endpoint.
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startMailSink, type MailSink } from '../../local/mail-sink/server.ts';
import { createDeadLetters } from '../../shared/dead-letters.ts';
import { createDeliveries } from '../../shared/deliveries.ts';
import type { NotificationPayload } from '../../shared/schemas/notifications.ts';
import { createOrders } from '../../shared/orders.ts';
import { testFirestore } from '../support/firestore.ts';
import { captureLogs } from '../support/logs.ts';
import { cancelled, created, shipped } from '../support/events.ts';
import { startTestIssuer, type TestIssuer } from '../support/jwks.ts';
import { serveFunction } from '../support/serve.ts';

const SA = 'tasks-invoker@shop.iam.gserviceaccount.com';
const AUD = 'https://send-notification.test/';
const { db, host, projectId } = testFirestore('notify');
const store = createOrders(db);
const deliveries = createDeliveries(db);
const deadLetters = createDeadLetters(db);
let sink: MailSink;
let issuer: TestIssuer;
let fn: { url: string; close(): Promise<void> };

// The function's log lines (a dead-lettered last attempt logs CRITICAL) stay out of the test output.
const logs = captureLogs();
beforeAll(async () => {
  sink = await startMailSink({ apiKey: 'SG.test-key' });
  issuer = await startTestIssuer();
  Object.assign(process.env, {
    GOOGLE_CLOUD_PROJECT: projectId,
    FIRESTORE_EMULATOR_HOST: host,
    OIDC_AUDIENCE: AUD,
    OIDC_ALLOWED_EMAILS: SA,
    OIDC_ISSUERS: issuer.issuer,
    OIDC_JWKS_URL: issuer.jwksUrl,
    SENDGRID_API_KEY: 'SG.test-key',
    SENDGRID_BASE_URL: sink.url,
    SENDGRID_TIMEOUT_MS: '2000',
    MAIL_FROM: 'orders@shop.example',
    MAIL_FROM_NAME: 'Shop',
    LOG_LEVEL: 'CRITICAL',
  });
  await import('../../functions/send-notification/index.ts');
  fn = await serveFunction('send-notification');
});
afterAll(async () => {
  await fn.close();
  await sink.close();
  await issuer.close();
  await db.terminate();
  logs.stop();
});
beforeEach(() => sink.clear());

let taskSeq = 0;
async function deliver(payload: unknown, o: { retryCount?: number; task?: string } = {}) {
  const token = await issuer.sign({ aud: AUD, email: SA });
  return fetch(fn.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-cloudtasks-queuename': 'notifications',
      'x-cloudtasks-taskname': o.task ?? `task-${++taskSeq}`,
      'x-cloudtasks-taskretrycount': String(o.retryCount ?? 0),
    },
    body: JSON.stringify(payload),
  });
}

const confirmation = (orderId: string, key = `evt-created-${orderId}`): NotificationPayload => {
  const e = created(orderId);
  return { kind: 'order-confirmation', idempotencyKey: key, eventId: key, order: (e.data as { order: any }).order };
};
const shippingUpdate = (orderId: string): NotificationPayload => {
  const e = shipped(orderId);
  return { kind: 'shipping-update', idempotencyKey: e.id, eventId: e.id, shipment: e.data as any };
};

describe('send-notification', () => {
  it('sends the confirmation once, with customArgs, and answers 204', async () => {
    const res = await deliver(confirmation('n-1'), { task: 'task-n1' });
    expect(res.status).toBe(204);
    const [m] = sink.messages();
    expect(sink.messages()).toHaveLength(1);
    expect(m).toMatchObject({
      to: ['jane@example.com'],
      from: 'orders@shop.example',
      subject: 'Your order #1001 is confirmed',
    });
    expect(m!.request.custom_args).toMatchObject({ eventId: 'evt-created-n-1', taskName: 'task-n1' });
    expect(m!.html).toContain('53,49');
    const d = await deliveries.get('evt-created-n-1');
    expect(d).toMatchObject({ status: 'sent', messageId: m!.id, attempts: 1 });
  });

  it('does not send again when the task is delivered twice', async () => {
    const p = confirmation('n-2');
    expect((await deliver(p)).status).toBe(204);
    expect((await deliver(p)).status).toBe(204);
    expect(sink.messages()).toHaveLength(1);
  });

  it('sends exactly one email when two attempts run at the same time', async () => {
    sink.script([{ delayMs: 1000 }]);
    const p = confirmation('n-3');
    // Whichever claims first sends; the other either waits (503 + Retry-After) or, if it came late, finds it sent.
    const statuses = (await Promise.all([deliver(p), deliver(p)])).map((r) => r.status);
    expect(statuses).toContain(204);
    for (const s of statuses) expect([204, 503]).toContain(s);
    expect(sink.messages()).toHaveLength(1);
    // The waiting attempt, retried later, finds the email sent.
    expect((await deliver(p)).status).toBe(204);
    expect(sink.messages()).toHaveLength(1);
  });

  it('lets only one attempt hold a delivery claim until its lease ends', async () => {
    let t = Date.parse('2026-11-24T12:00:00Z');
    const clocked = createDeliveries(db, { now: () => new Date(t) });
    expect(await clocked.claim('lease-1', { kind: 'order-confirmation', task: 'a', leaseSeconds: 60 })).toEqual({
      state: 'claimed',
      attempts: 1,
    });
    expect(await clocked.claim('lease-1', { kind: 'order-confirmation', task: 'b', leaseSeconds: 60 })).toEqual({
      state: 'busy',
      retryAfterSeconds: 60,
    });
    t += 61_000; // the first attempt died without a word: its lease runs out
    expect(await clocked.claim('lease-1', { kind: 'order-confirmation', task: 'b', leaseSeconds: 60 })).toEqual({
      state: 'claimed',
      attempts: 2,
    });
    await clocked.markSent('lease-1', 'msg-1');
    expect(await clocked.claim('lease-1', { kind: 'order-confirmation', task: 'c', leaseSeconds: 60 })).toEqual({
      state: 'sent',
      messageId: 'msg-1',
    });
  });

  it('retries a shipping update until its order is known, then mails the stored customer', async () => {
    const p = shippingUpdate('n-4');
    const early = await deliver(p);
    expect(early.status).toBe(503);
    expect(((await early.json()) as { code: string }).code).toBe('not-ready');
    expect(sink.messages()).toHaveLength(0);
    await store.recordEvent(created('n-4', { customer: { email: 'kim@example.org', name: 'Kim' } }));
    expect((await deliver(p)).status).toBe(204);
    expect(sink.messages()[0]).toMatchObject({ to: ['kim@example.org'], subject: 'Your order #1001 has shipped' });
  });

  it('sends the cancellation from the stored order', async () => {
    await store.recordEvent(created('n-5'));
    const e = cancelled('n-5');
    const res = await deliver({ kind: 'order-cancelled', idempotencyKey: e.id, eventId: e.id, cancellation: e.data });
    expect(res.status).toBe(204);
    expect(sink.messages()[0]?.subject).toBe('Your order #1001 was cancelled');
  });

  it('does not send the confirmation of an order already cancelled (the stored status decides)', async () => {
    await store.recordEvent(cancelled('n-12'));
    await store.recordEvent(created('n-12'));
    const res = await deliver(confirmation('n-12'));
    expect(res.status).toBe(204);
    expect(sink.messages()).toHaveLength(0);
    expect(await deliveries.get('evt-created-n-12')).toBeUndefined();
  });

  it('passes a SendGrid 429 on as 429 with Retry-After from X-RateLimit-Reset', async () => {
    // The wall clock stands still during this test (only Date is stubbed), so the answer does not depend on speed.
    vi.useFakeTimers({ toFake: ['Date'], now: Math.floor(Date.now() / 1000) * 1000 + 500 });
    onTestFinished(() => void vi.useRealTimers());
    sink.script([{ status: 429, headers: { 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 42) } }]);
    const res = await deliver(confirmation('n-6'));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBe(42);
    expect(sink.messages()).toHaveLength(0);
  });

  it('answers 503 on a SendGrid 5xx or timeout, and the retry sends once', async () => {
    const p = confirmation('n-7');
    sink.script([{ status: 500 }, { delayMs: 3000, status: 503 }]);
    expect((await deliver(p)).status).toBe(503);
    expect((await deliver(p)).status).toBe(503);
    expect((await deliver(p)).status).toBe(204);
    expect(sink.messages()).toHaveLength(1);
    const d = await deliveries.get('evt-created-n-7');
    expect(d).toMatchObject({ status: 'sent', attempts: 3, firstError: { code: 'provider-unavailable' } });
  });

  it('keeps retrying with an ERROR when our SendGrid key is refused', async () => {
    sink.script([{ status: 401 }]);
    const res = await deliver(confirmation('n-8'));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('provider-auth');
  });

  it('dead-letters a SendGrid 400 and acknowledges the task', async () => {
    sink.script([
      {
        status: 400,
        body: { errors: [{ message: 'Invalid recipient', field: 'personalizations.0.to.0.email', help: null }] },
      },
    ]);
    const res = await deliver(confirmation('n-9'), { task: 'task-n9', retryCount: 2 });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { outcome: string }).outcome).toBe('dropped');
    const letter = await deadLetters.get('notifications--task-n9');
    expect(letter).toMatchObject({
      queue: 'notifications',
      task: 'task-n9',
      kind: 'order-confirmation',
      attempts: 3,
      lastError: { code: 'provider-rejected' },
    });
    expect((letter!.payload as { idempotencyKey: string }).idempotencyKey).toBe('evt-created-n-9');
  });

  it('dead-letters a task that fails on its last allowed attempt, keeping the first error', async () => {
    const p = confirmation('n-10');
    sink.script([{ status: 503 }, { status: 502 }]);
    expect((await deliver(p, { task: 'task-n10', retryCount: 0 })).status).toBe(503);
    // notifications allows 30 attempts (queues.json): retry count 29 is the last one.
    expect((await deliver(p, { task: 'task-n10', retryCount: 29 })).status).toBe(503);
    const letter = await deadLetters.get('notifications--task-n10');
    expect(letter).toMatchObject({ attempts: 30, lastError: { code: 'provider-unavailable' } });
    expect(letter!.firstError.at <= letter!.lastError.at).toBe(true);
  });

  it('dead-letters an invalid payload, naming the field', async () => {
    const res = await deliver({ kind: 'order-confirmation', idempotencyKey: 'x' }, { task: 'task-bad' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { message: string }).message).toMatch(/eventId/);
    expect(await deadLetters.get('notifications--task-bad')).toMatchObject({ lastError: { code: 'invalid-payload' } });
  });

  it('dead-letters a payload Firestore cannot store as a value (nested arrays) as JSON text', async () => {
    const res = await deliver([[{ kind: 'order-confirmation' }]], { task: 'task-nested' });
    expect(res.status).toBe(200);
    expect(await deadLetters.get('notifications--task-nested')).toMatchObject({
      payload: null,
      payloadText: '[[{"kind":"order-confirmation"}]]',
      lastError: { code: 'invalid-payload' },
    });
  });

  it.each<[string, () => Promise<string | undefined>, number]>([
    ['no token', async () => undefined, 401],
    [
      'a token signed by another key',
      async () => issuer.sign({ aud: AUD, email: SA }, { key: (await generateKeyPair('RS256')).privateKey }),
      401,
    ],
    ['a wrong audience', async () => issuer.sign({ aud: 'https://other-function.test/', email: SA }), 401],
    [
      'an expired token',
      async () =>
        issuer.sign({
          aud: AUD,
          email: SA,
          iat: Math.floor(Date.now() / 1000) - 7200,
          exp: Math.floor(Date.now() / 1000) - 3600,
        }),
      401,
    ],
    [
      'a valid token of another service account',
      async () => issuer.sign({ aud: AUD, email: 'other@shop.iam.gserviceaccount.com' }),
      403,
    ],
  ])('refuses %s with %i and sends nothing', async (_n, token, status) => {
    const t = await token();
    const res = await fetch(fn.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) },
      body: JSON.stringify(confirmation('n-11')),
    });
    expect(res.status).toBe(status);
    expect(sink.messages()).toHaveLength(0);
    expect(await deliveries.get('evt-created-n-11')).toBeUndefined();
  });
});
