// Order notifications end to end, on one machine: a signed storefront webhook → storefront-webhook → our Cloud
// Tasks emulator (real REST client, real OIDC tokens signed by the emulator) → send-notification → the mail sink.
import { http } from '@google-cloud/functions-framework';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MailSink } from '../../local/mail-sink/server.ts';
import type { Emulator } from '../../local/tasks-emulator/index.ts';
import { createWebhookHandler } from '../../functions/storefront-webhook/handle.ts';
import { publicEndpoint } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { createEnqueuer, createTasksClient, taskIdFor } from '../../shared/tasks.ts';
import { createFirestore, type Firestore } from '../../shared/firestore.ts';
import { createOrders } from '../../shared/orders.ts';
import { cancelled, created, shipped } from '../support/events.ts';
import { eventually } from '../support/eventually.ts';
import { freePort } from '../support/net.ts';
import { serveFunction } from '../support/serve.ts';
import { runDeadLetters } from '../../ops/dead-letters.ts';
import { INVOKER, OLD_SECRET, SECRET, startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
let emulator: Emulator;
let sink: MailSink;
let store: Stack['store'];
let webhookDown: { url: string; close(): Promise<void> };
let webhookFirestoreDown: { url: string; close(): Promise<void> };
let firestoreDown: Firestore;
const post = (event: unknown, o?: Parameters<Stack['post']>[1]) => stack.post(event, o);

beforeAll(async () => {
  stack = await startStack();
  ({ emulator, sink, store } = stack);
  // A port nothing listens on: connections to it are refused.
  const nowhere = `127.0.0.1:${await freePort()}`;
  // The same webhook logic with Cloud Tasks unreachable.
  http(
    'webhook-tasks-down',
    publicEndpoint({
      log: createLogger({ level: 'ERROR' }),
      project: stack.projectId,
      handler: createWebhookHandler({
        orders: store,
        enqueue: createEnqueuer({
          client: createTasksClient({ emulatorHost: nowhere }),
          project: stack.projectId,
          location: 'us-central1',
          serviceAccount: INVOKER,
          schemas: QUEUE_SCHEMAS,
          targets: { notifications: { url: stack.notifierUrl } },
        }),
        secrets: [SECRET],
        toleranceSeconds: 300,
        now: Date.now,
      }),
    }),
  );
  webhookDown = await serveFunction('webhook-tasks-down');
  // And with Firestore unreachable.
  firestoreDown = createFirestore({ projectId: stack.projectId, databaseId: '(default)', emulatorHost: nowhere });
  http(
    'webhook-firestore-down',
    publicEndpoint({
      log: createLogger({ level: 'CRITICAL' }),
      project: stack.projectId,
      handler: createWebhookHandler({
        orders: createOrders(firestoreDown, { timeoutMs: 500 }),
        enqueue: createEnqueuer({
          client: createTasksClient({ emulatorHost: stack.env.CLOUD_TASKS_EMULATOR_HOST }),
          project: stack.projectId,
          location: 'us-central1',
          serviceAccount: INVOKER,
          schemas: QUEUE_SCHEMAS,
          targets: { notifications: { url: stack.notifierUrl } },
        }),
        secrets: [SECRET],
        toleranceSeconds: 300,
        now: Date.now,
      }),
    }),
  );
  webhookFirestoreDown = await serveFunction('webhook-firestore-down');
});
afterAll(async () => {
  await webhookDown?.close();
  await webhookFirestoreDown?.close();
  await firestoreDown?.terminate();
  await stack?.close();
});
const everyMail: { eventId?: string }[] = [];
beforeEach(() => {
  everyMail.push(...sink.messages().map((m) => m.request.custom_args as { eventId?: string }));
  sink.clear();
});

/** The emails of one event (other tests' tasks may run when a test advances the emulator clock). */
const mailsFor = (eventId: string) =>
  sink.messages().filter((m) => (m.request.custom_args as { eventId?: string } | undefined)?.eventId === eventId);
type Accepted = { eventId: string; tasks: { queue: string; name: string; duplicate: boolean }[]; ignored?: boolean };

describe('order notifications end to end', () => {
  it('turns a signed order.created into one confirmation email, dispatched with an emulator-signed OIDC token', async () => {
    const e = created('e2e-1');
    const res = await post(e);
    expect(res.status).toBe(202);
    const body = (await res.json()) as Accepted;
    expect(body.eventId).toBe(e.id);
    expect(body.tasks).toEqual([
      {
        queue: 'notifications',
        name: expect.stringMatching(
          new RegExp(`^projects/${stack.projectId}/locations/us-central1/queues/notifications/tasks/[0-9a-f]{64}$`),
        ),
        duplicate: false,
      },
    ]);
    await eventually(() => expect(sink.messages()).toHaveLength(1));
    expect(sink.messages()[0]).toMatchObject({ to: ['jane@example.com'], subject: 'Your order #1001 is confirmed' });
    const attempt = await eventually(() => emulator.dispatches({ task: body.tasks[0]!.name })[0] ?? false);
    expect(attempt).toMatchObject({ status: 204, outcome: 'succeeded' });
    expect(attempt!.requestHeaders.Authorization ?? attempt!.requestHeaders.authorization).toMatch(/^Bearer ey/);
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
    await eventually(() =>
      expect(emulator.dispatches({ task: res.tasks[0]!.name })[0]).toMatchObject({ status: 503, outcome: 'retrying' }),
    );
    expect(sink.messages()).toHaveLength(0);
    await post(created('e2e-3', { customer: { email: 'late@example.com' } }));
    await eventually(() => expect(sink.messages()).toHaveLength(1)); // the confirmation
    emulator.clock.advance(15_000); // past the queue's 10 s minBackoff
    await eventually(() => expect(sink.messages()).toHaveLength(2));
    expect(
      sink
        .messages()
        .map((m) => m.subject)
        .sort(),
    ).toEqual(['Your order #1001 has shipped', 'Your order #1001 is confirmed']);
    expect(sink.messages().every((m) => m.to[0] === 'late@example.com')).toBe(true);
  });

  it('keeps a cancellation when order.created arrives late', async () => {
    await post(cancelled('e2e-4'));
    await post(created('e2e-4'));
    const doc = await store.getOrder('e2e-4');
    expect(doc?.status).toBe('cancelled');
    expect(doc?.order?.id).toBe('e2e-4');
  });

  it('sends only the cancellation when order.created arrives after order.cancelled', async () => {
    const c = (await (await post(cancelled('e2e-13'))).json()) as Accepted;
    // The cancellation waits (503, order unknown) for the order; the confirmation then finds it cancelled.
    await eventually(() => expect(emulator.dispatches({ task: c.tasks[0]!.name })[0]).toMatchObject({ status: 503 }));
    const o = (await (await post(created('e2e-13'))).json()) as Accepted;
    await eventually(() =>
      expect(emulator.dispatches({ task: o.tasks[0]!.name })[0]).toMatchObject({ status: 204, outcome: 'succeeded' }),
    );
    emulator.clock.advance(15_000); // past the queue's 10 s minBackoff
    await eventually(() => expect(mailsFor('evt-cancelled-e2e-13')).toHaveLength(1));
    expect(mailsFor('evt-created-e2e-13')).toHaveLength(0);
    expect(mailsFor('evt-cancelled-e2e-13')[0]?.subject).toBe('Your order #1001 was cancelled');
  });

  it('does not send a confirmation when the cancellation arrives between enqueue and send', async () => {
    const queue = emulator.queuePath('notifications');
    expect((await fetch(`${emulator.url}/v2/${queue}:pause`, { method: 'POST', body: '{}' })).status).toBe(200);
    let o: Accepted;
    try {
      o = (await (await post(created('e2e-14'))).json()) as Accepted;
      await post(cancelled('e2e-14'));
    } finally {
      expect((await fetch(`${emulator.url}/v2/${queue}:resume`, { method: 'POST', body: '{}' })).status).toBe(200);
    }
    await eventually(() => expect(mailsFor('evt-cancelled-e2e-14')).toHaveLength(1));
    await eventually(() =>
      expect(emulator.dispatches({ task: o.tasks[0]!.name })[0]).toMatchObject({ status: 204, outcome: 'succeeded' }),
    );
    expect(mailsFor('evt-created-e2e-14')).toHaveLength(0);
  });

  it('rejects a shipping country ZZ (user-assigned, "Unknown Region" in CLDR) with 400 naming the field', async () => {
    const e = created('e2e-zz', {
      shippingAddress: { name: 'J', line1: 'Hauptstr. 1', city: 'Berlin', country: 'ZZ' },
    });
    const res = await post(e);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; details: { path: string; message: string }[] } };
    expect(error.code).toBe('invalid-payload');
    expect(error.details).toEqual([
      {
        path: 'data.order.shippingAddress.country',
        message: 'is a user-assigned code, not an ISO 3166-1 alpha-2 country code',
      },
    ]);
    expect(await store.getOrder('e2e-zz')).toBeUndefined();
  });

  it('rejects an invalid event with 400 naming every bad field, writing and enqueuing nothing', async () => {
    const e = created('e2e-5', { total: 1, currency: 'XXQ' as 'EUR' });
    (e as any).data.order.customer.email = 'not-an-email';
    const res = await post(e);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(error.code).toBe('invalid-payload');
    expect(error.details.map((d) => d.path).sort()).toEqual([
      'data.order.currency',
      'data.order.customer.email',
      'data.order.total',
    ]);
    expect(await store.getOrder('e2e-5')).toBeUndefined();
    const task = `${emulator.queuePath('notifications')}/tasks/${taskIdFor('notifications', e.id)}`;
    const get = await fetch(`${emulator.url}/v2/${task}`);
    expect(get.status).toBe(404);
  });

  it.each([
    ['no signature', { noSignature: true }, 401, 'unauthenticated'],
    ['a bad signature', { secret: 'whsec_wrong_wrong_wrong' }, 401, 'unauthenticated'],
    ['a stale signature', { t: Math.floor(Date.now() / 1000) - 600 }, 401, 'unauthenticated'],
    ['another content type', { contentType: 'text/plain' }, 415, 'unsupported-media-type'],
    [
      'a body over the limit',
      { raw: JSON.stringify({ ...created('e2e-6'), pad: 'x'.repeat(1024 * 1024) }) },
      413,
      'payload-too-large',
    ],
    ['malformed JSON', { raw: '{"id": "evt-created-e2e-6", ' }, 400, 'invalid-json'],
    [
      'a charset body-parser cannot decode',
      { contentType: 'application/json; charset=klingon' },
      415,
      'unsupported-media-type',
    ],
  ] as const)('answers %s with %s, writing and enqueuing nothing', async (_n, o, status, code) => {
    const e = created('e2e-6');
    const res =
      'noSignature' in o
        ? await fetch(stack.webhookUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(e),
          })
        : await post(e, o);
    expect(res.status).toBe(status);
    if (code) expect(((await res.json()) as { error: { code: string; message: string } }).error.code).toBe(code);
    expect(await store.getOrder('e2e-6')).toBeUndefined();
    const task = `${emulator.queuePath('notifications')}/tasks/${taskIdFor('notifications', e.id)}`;
    expect((await fetch(`${emulator.url}/v2/${task}`)).status).toBe(404);
  });

  it('says in a 413 which setting sets the limit', async () => {
    const res = await post(created('e2e-6'), {
      raw: JSON.stringify({ ...created('e2e-6'), pad: 'x'.repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^Body is \d+ bytes; the limit is 1048576 bytes \(WEBHOOK_MAX_BODY_BYTES; raise it to accept larger bodies\)$/,
    );
  });

  it('accepts a signature made with the older secret during a rotation', async () => {
    expect((await post(created('e2e-7'), { secret: OLD_SECRET })).status).toBe(202);
  });

  it('acknowledges and ignores an unknown event type', async () => {
    const res = await post({ id: 'evt-refund-1', type: 'order.refunded', createdAt: '2026-11-23T10:00:00Z', data: {} });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ eventId: 'evt-refund-1', ignored: true, tasks: [] });
  });

  it('answers 405 to GET', async () => {
    expect((await fetch(stack.webhookUrl)).status).toBe(405);
  });

  it('answers 503 when Firestore is unavailable, enqueuing nothing', async () => {
    const e = created('e2e-12');
    const res = await post(e, { url: webhookFirestoreDown.url });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('dependency-unavailable');
    const task = `${emulator.queuePath('notifications')}/tasks/${taskIdFor('notifications', e.id)}`;
    expect((await fetch(`${emulator.url}/v2/${task}`)).status).toBe(404);
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
    // The order's timeline tells both deliveries apart: the failed one with its answer, then the accepted one.
    expect((await store.deliveriesOf(e.id)).map((n) => [n.answer, n.status, n.code])).toEqual([
      ['failed', 503, 'dependency-unavailable'],
      ['accepted', 202, undefined],
    ]);
  });

  it('does not send a second email when the answer misses the dispatch deadline after SendGrid accepted', async () => {
    sink.script([{ delayMs: 1500 }]); // SendGrid answers slowly, but within our 10 s timeout
    const res = (await (await post(created('e2e-9'))).json()) as Accepted;
    const task = res.tasks[0]!.name;
    // The attempt is in flight (dispatched, no answer yet) while the sink holds the request.
    await eventually(
      async () =>
        ((await (await fetch(`${emulator.url}/v2/${task}`)).json()) as { dispatchCount?: number }).dispatchCount === 1,
    );
    expect(emulator.dispatches({ task })).toHaveLength(0);
    emulator.clock.advance(11 * 60_000); // past the 10 min dispatch deadline: Cloud Tasks gives up on this attempt
    await eventually(() =>
      expect(emulator.dispatches({ task })[0]).toMatchObject({ timedOut: true, outcome: 'retrying' }),
    );
    // Retries come (the queue's backoff, or the Retry-After of a 503 while the first attempt holds the delivery)
    // until one finds the email sent.
    await eventually(
      () => {
        emulator.clock.advance(60_000);
        expect(emulator.dispatches({ task }).at(-1)).toMatchObject({ outcome: 'succeeded' });
      },
      { timeout: 20_000, interval: 100 },
    );
    await emulator.waitForIdle();
    // (Advancing the clock also lets other tests' waiting tasks run: count this event's emails only.)
    expect(mailsFor('evt-created-e2e-9')).toHaveLength(1);
  });

  it('dead-letters a permanent SendGrid 400 once, and redrive delivers it exactly once', async () => {
    sink.script([{ status: 400 }]);
    const res = (await (await post(created('e2e-10'))).json()) as Accepted;
    const task = res.tasks[0]!.name;
    await eventually(() =>
      expect(emulator.dispatches({ task })[0]).toMatchObject({ status: 200, outcome: 'succeeded' }),
    );
    const id = `notifications--${task.split('/').at(-1)}`;
    expect(await stack.deadLetters.get(id)).toMatchObject({ attempts: 1, lastError: { code: 'provider-rejected' } });
    emulator.clock.advance(3_600_000);
    await emulator.waitForIdle();
    expect(emulator.dispatches({ task })).toHaveLength(1);
    expect(mailsFor('evt-created-e2e-10')).toHaveLength(0);

    const out: string[] = [];
    expect(await runDeadLetters(['list', '--queue', 'notifications'], stack.env, (l) => out.push(l))).toBe(0);
    expect(out.join('\n')).toContain(id);
    expect(await runDeadLetters(['redrive', '--id', id], stack.env, (l) => out.push(l))).toBe(0);
    await eventually(() => expect(mailsFor('evt-created-e2e-10')).toHaveLength(1));
    // The redriven task continues the order's trace.
    const traceId = (await store.getOrder('e2e-10'))!.traceId!;
    expect((await stack.deadLetters.get(id))?.traceId).toBe(traceId);
    const redriven = (await stack.deadLetters.get(id))!.redriveTask!;
    await emulator.waitForIdle();
    expect(emulator.dispatches({ task: redriven })[0]!.requestHeaders.traceparent).toMatch(
      new RegExp(`^00-${traceId}-[\\da-f]{16}-0[01]$`),
    );
    expect(mailsFor('evt-created-e2e-10')[0]?.subject).toBe('Your order #1001 is confirmed');
    expect((await stack.deadLetters.get(id))?.redrivenAt).toBeDefined();
    // Redriving again skips it; forcing it enqueues a task that finds the email already sent.
    out.length = 0;
    expect(await runDeadLetters(['redrive', '--id', id], stack.env, (l) => out.push(l))).toBe(0);
    expect(out[0]).toMatch(/^skip .*already redriven/);
    expect(await runDeadLetters(['redrive', '--id', id, '--force'], stack.env, (l) => out.push(l))).toBe(0);
    await emulator.waitForIdle();
    expect(mailsFor('evt-created-e2e-10')).toHaveLength(1);
  });

  it('dead-letters a task whose retries run out, with the attempt count of the queue config', async () => {
    sink.faults({ rate: 1, kinds: [503] });
    try {
      const res = (await (await post(created('e2e-11'))).json()) as Accepted;
      const task = res.tasks[0]!.name;
      const id = `notifications--${task.split('/').at(-1)}`;
      await eventually(
        async () => {
          emulator.clock.advance(600_000); // the queue's maxBackoff: every retry is due
          return (await stack.deadLetters.get(id)) ?? false;
        },
        { timeout: 60_000, interval: 50 },
      );
      const attempts = emulator.dispatches({ task });
      expect(attempts).toHaveLength(30); // queues.json: notifications maxAttempts
      expect(attempts.at(-1)?.outcome).toBe('gave-up');
      // The dead letter records the last attempt's own error: SendGrid's 503, or (seen once on a loaded machine) the
      // Firestore emulator aborting that attempt's claim with "Transaction lock timeout" before SendGrid was called.
      expect(await stack.deadLetters.get(id)).toMatchObject({
        attempts: 30,
        firstError: { code: 'provider-unavailable' },
        lastError: { code: expect.stringMatching(/^(provider|dependency)-unavailable$/) },
      });
    } finally {
      sink.faults(undefined);
    }
  });

  it('never sent two emails for one event in this whole file', async () => {
    await emulator.waitForIdle();
    const ids = [...everyMail, ...sink.messages().map((m) => m.request.custom_args as { eventId?: string })].map(
      (a) => a.eventId,
    );
    expect(ids.length).toBeGreaterThan(5);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });
});
