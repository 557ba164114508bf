// Property tests of storefront-webhook with generated hostile input, against the real
// Firestore emulator and our Cloud Tasks emulator. Properties: never a 5xx; an invalid input answers 4xx naming
// the fields and stores and enqueues nothing; no generated email address appears in clear in any log line.
// Bounded runs by default; FUZZ_RUNS=2000 npx vitest run test/functions/webhook-fuzz.test.ts for a longer run.
import { http } from '@google-cloud/functions-framework';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../local/tasks-emulator/index.ts';
import { createWebhookHandler } from '../../functions/storefront-webhook/handle.ts';
import { publicEndpoint } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { EventEnvelope, StorefrontEvent } from '../../shared/schemas/events.ts';
import { signWebhook } from '../../shared/signature.ts';
import { createOrders } from '../../shared/orders.ts';
import { createEnqueuer, createTasksClient, taskIdFor } from '../../shared/tasks.ts';
import { cancelled, created, shipped } from '../support/events.ts';
import { testFirestore, warmUp } from '../support/firestore.ts';
import { FUZZ_RUNS, hostileValue, mutationOf } from '../support/fuzz.ts';
import { serveFunction } from '../support/serve.ts';

const SECRET = 'whsec_fuzz_0123456789abcdef';
const { db, projectId } = testFirestore('fuzz');
const orders = createOrders(db);
const lines: string[] = [];
let emulator: Emulator;
let fn: { url: string; close(): Promise<void> };

beforeAll(async () => {
  await warmUp(db);
  emulator = await startEmulator({ port: 0, project: projectId, location: 'us-central1', queues: 'queues.json' });
  // Tasks stay in the queue: the property is about what is enqueued, not about sending.
  await fetch(`${emulator.url}/v2/${emulator.queuePath('notifications')}:pause`, { method: 'POST', body: '{}' });
  http(
    'webhook-fuzz',
    publicEndpoint({
      log: createLogger({ level: 'DEBUG', write: (l) => lines.push(l) }),
      project: projectId,
      handler: createWebhookHandler({
        orders,
        enqueue: createEnqueuer({
          client: createTasksClient({ emulatorHost: `127.0.0.1:${emulator.port}` }),
          project: projectId,
          location: 'us-central1',
          serviceAccount: 'invoker@fuzz.iam.gserviceaccount.com',
          schemas: QUEUE_SCHEMAS,
          targets: { notifications: { url: 'http://127.0.0.1:9/' } },
        }),
        secrets: [SECRET],
        toleranceSeconds: 300,
        now: Date.now,
      }),
    }),
  );
  fn = await serveFunction('webhook-fuzz');
});
afterAll(async () => {
  await fn?.close();
  await emulator?.close();
  await db.terminate();
});

interface Answer {
  status: number;
  body: {
    error?: { code: string; message: string; details: { path: string; message: string }[] };
    eventId?: string;
    ignored?: boolean;
  };
  logs: string;
}

async function post(body: string, o: { contentType?: string; signed?: boolean } = {}): Promise<Answer> {
  const from = lines.length;
  const headers: Record<string, string> = { 'content-type': o.contentType ?? 'application/json' };
  if (o.signed !== false) headers['x-storefront-signature'] = signWebhook(SECRET, body, Math.floor(Date.now() / 1000));
  const res = await fetch(fn.url, { method: 'POST', headers, body });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, body: (await res.json()) as Answer['body'], logs: lines.slice(from).join('\n') };
}

/** Every email address anywhere in `value` (the generated ones and the customer's). */
const emailsIn = (text: string): string[] =>
  text.match(/[^\s"\\<>(),;:[\]]+@[^\s"\\<>(),;:[\]]+\.[^\s"\\<>(),;:[\]]+/g) ?? [];

function expectNoEmailInClear(a: Answer, sent: string) {
  for (const email of emailsIn(sent)) expect(a.logs, `log lines hold ${email}`).not.toContain(email);
}

/** A 4xx that names fields, with nothing stored or enqueued for the event. */
async function expectRejected(a: Answer, eventId: string, orderId: string) {
  expect(a.status).toBeGreaterThanOrEqual(400);
  expect(a.status).toBeLessThan(500);
  expect(a.body.error?.code).toMatch(/^[a-z-]+$/);
  if (a.body.error?.code === 'invalid-payload') {
    expect(a.body.error.details.length).toBeGreaterThan(0);
    for (const d of a.body.error.details) expect(a.body.error.message).toContain(`${d.path}: `);
  }
  expect((await db.collection('events').doc(eventId).get()).exists).toBe(false);
  expect((await db.collection('orders').doc(orderId).get()).exists).toBe(false);
  const task = `${emulator.queuePath('notifications')}/tasks/${taskIdFor('notifications', eventId)}`;
  expect((await fetch(`${emulator.url}/v2/${task}`)).status).toBe(404);
}

// Templates with a placeholder order id; each run gets fresh ids (shrinking replays a value, so ids made when the
// value is generated would already be stored by an earlier run).
const ID = 'fzid';
const valid = fc.constantFrom(created(ID), shipped(ID), cancelled(ID));
let seq = 0;
const fresh = (body: string) => {
  const orderId = `fz${++seq}x`;
  return { body: body.replaceAll(ID, orderId), orderId };
};

describe('storefront-webhook under generated input', () => {
  it('answers any JSON value that is not an event with a 4xx naming fields', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), hostileValue), async (value) => {
        const body = JSON.stringify(value) ?? 'null';
        const a = await post(body);
        expectNoEmailInClear(a, body);
        if (a.status === 202) return expect(a.body.ignored).toBe(true); // a well-formed envelope of another type
        expect([a.status, a.body.error?.code]).toEqual([400, 'invalid-payload']);
        expect(a.body.error?.details.length).toBeGreaterThan(0);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('answers every mutation of a valid event with 202 if still valid, else a 4xx, storing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        valid.chain((e) => mutationOf(e).map((m) => ({ e, m }))),
        async ({ e, m }) => {
          const { body, orderId } = fresh(JSON.stringify(m.value));
          const a = await post(body);
          expectNoEmailInClear(a, body);
          const sent = JSON.parse(body) as unknown;
          const stillValid = StorefrontEvent.safeParse(sent).success;
          const otherType =
            EventEnvelope.safeParse(sent).success &&
            !StorefrontEvent.options.some((o) => o.shape.type.value === (sent as { type: unknown }).type);
          if (stillValid || otherType) expect(a.status).toBe(202);
          else await expectRejected(a, e.id.replaceAll(ID, orderId), orderId);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('answers a body that is not JSON with 400 invalid-json (or 4xx for another content type), signed or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', minLength: 1 }),
          fc.emailAddress().map((x) => `{"customer":{"email":"${x}","name":"Jane Doe"`),
          valid.map((e) => JSON.stringify(e).slice(0, -1)),
        ),
        fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/octet-stream',
          'application/x-www-form-urlencoded',
        ),
        fc.boolean(),
        async (body, contentType, signed) => {
          let json = true;
          try {
            JSON.parse(body);
          } catch {
            json = false;
          }
          const a = await post(body, { contentType, signed });
          expectNoEmailInClear(a, body);
          expect(a.status).toBeGreaterThanOrEqual(400);
          expect(a.status).toBeLessThan(500);
          if (!contentType.startsWith('application/json')) expect(a.status).toBe(415);
          else if (!json) expect([a.status, a.body.error?.code]).toEqual([400, 'invalid-json']);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('never logs the customer of a valid event in clear', async () => {
    const a = await post(
      JSON.stringify(created('fz-log', { customer: { email: 'jane.doe@example.com', name: 'Jane Doe' } })),
    );
    expect(a.status).toBe(202);
    expect(a.logs).not.toContain('jane.doe@example.com');
  });
});
