// Property tests of send-notification with generated payloads and a valid OIDC token,
// against the Firestore emulator and the mail sink. Properties: never a 500; an invalid payload is dropped (200,
// the documented answer that stops Cloud Tasks' retries) naming the fields, with nothing claimed or sent; no
// generated email address in clear in any log line. FUZZ_RUNS=2000 asks for a longer run.
import { http } from '@google-cloud/functions-framework';
import fc from 'fast-check';
import { aReport } from '../support/report.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailSink, type MailSink } from '../../local/mail-sink/server.ts';
import { createGiveUp, createNotificationHandler } from '../../functions/send-notification/handle.ts';
import { createDeadLetters } from '../../shared/dead-letters.ts';
import { createDeliveries } from '../../shared/deliveries.ts';
import { taskTarget } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { createMailer, MailEnv } from '../../shared/mail.ts';
import { createOidcVerifier } from '../../shared/oidc.ts';
import { maxAttemptsLookup } from '../../shared/queues.ts';
import { NotificationPayload } from '../../shared/schemas/notifications.ts';
import { createOrders } from '../../shared/orders.ts';
import { cancelled, created, shipped } from '../support/events.ts';
import { testFirestore, warmUp } from '../support/firestore.ts';
import { FUZZ_RUNS, hostileValue, mutationOf } from '../support/fuzz.ts';
import { startTestIssuer, type TestIssuer } from '../support/jwks.ts';
import { serveFunction } from '../support/serve.ts';

const SA = 'tasks-invoker@shop.iam.gserviceaccount.com';
const AUD = 'https://send-notification.test/';
const { db } = testFirestore('notify-fuzz');
const store = createOrders(db);
const deliveries = createDeliveries(db);
const lines: string[] = [];
let sink: MailSink;
let issuer: TestIssuer;
let fn: { url: string; close(): Promise<void> };

beforeAll(async () => {
  await warmUp(db);
  sink = await startMailSink({ apiKey: 'SG.fuzz' });
  issuer = await startTestIssuer();
  const mail = MailEnv.parse({
    SENDGRID_API_KEY: 'SG.fuzz',
    SENDGRID_BASE_URL: sink.url,
    MAIL_FROM: 'orders@shop.example',
  });
  http(
    'send-notification-fuzz',
    taskTarget({
      schema: NotificationPayload,
      verify: createOidcVerifier({
        jwksUrl: issuer.jwksUrl,
        issuers: [issuer.issuer],
        audience: AUD,
        allowedEmails: [SA],
      }),
      log: createLogger({ level: 'DEBUG', write: (l) => lines.push(l) }),
      project: 'shop',
      maxAttempts: maxAttemptsLookup(),
      onGiveUp: createGiveUp({ deliveries, deadLetters: createDeadLetters(db) }),
      handler: createNotificationHandler({
        orders: store,
        deliveries,
        mailer: createMailer(mail),
        mailConfig: mail,
        leaseSeconds: 60,
      }),
    }),
  );
  fn = await serveFunction('send-notification-fuzz');
  // The order the shipping and cancellation payloads refer to, so valid ones can be sent.
  await store.recordEvent(created('fzid'));
});
afterAll(async () => {
  await fn?.close();
  await sink?.close();
  await issuer?.close();
  await db.terminate();
});

let seq = 0;
async function deliver(body: string) {
  const from = lines.length;
  const token = await issuer.sign({ aud: AUD, email: SA });
  const res = await fetch(fn.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-cloudtasks-queuename': 'notifications',
      'x-cloudtasks-taskname': `fuzz-${++seq}`,
    },
    body,
  });
  return {
    status: res.status,
    body: (await res.json().catch(() => ({}))) as { outcome?: string; code?: string; message?: string },
    logs: lines.slice(from).join('\n'),
  };
}

const emailsIn = (text: string): string[] =>
  text.match(/[^\s"\\<>(),;:[\]]+@[^\s"\\<>(),;:[\]]+\.[^\s"\\<>(),;:[\]]+/g) ?? [];

const payloads: NotificationPayload[] = [
  {
    kind: 'order-confirmation',
    idempotencyKey: 'KEY',
    eventId: 'KEY',
    order: (created('fzid').data as { order: never }).order,
  },
  { kind: 'shipping-update', idempotencyKey: 'KEY', eventId: 'KEY', shipment: shipped('fzid').data as never },
  { kind: 'order-cancelled', idempotencyKey: 'KEY', eventId: 'KEY', cancellation: cancelled('fzid').data as never },
  { kind: 'daily-report', idempotencyKey: 'KEY', to: ['owner@shop.example'], report: aReport() },
];

describe('send-notification under generated payloads', () => {
  it('never answers 500; an invalid payload is dropped naming fields, claiming and sending nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          hostileValue,
          fc.constantFrom(...payloads).chain((p) => mutationOf(p).map((m) => m.value)),
        ),
        async (value) => {
          const key = `fz-key-${seq + 1}`;
          const body = (JSON.stringify(value) ?? 'null').replaceAll('KEY', key);
          const before = sink.messages().length;
          const a = await deliver(body);
          for (const email of emailsIn(body)) expect(a.logs, `log lines hold ${email}`).not.toContain(email);
          const parsed = NotificationPayload.safeParse(JSON.parse(body));
          if (parsed.success) {
            // 204 sent (or skipped), 200 dropped by SendGrid's 400, 503 while an order is unknown: never 500.
            expect([200, 204, 503], JSON.stringify(a.body)).toContain(a.status);
            if (a.status === 503) expect(a.body.code).toBe('not-ready');
            return;
          }
          expect([a.status, a.body.outcome]).toEqual([200, 'dropped']);
          expect(a.body.code).toMatch(/^invalid-(payload|json)$/);
          expect(a.body.message).toMatch(/: /); // "<path>: <what is wrong>"
          expect(sink.messages().length).toBe(before);
          expect(await deliveries.get(key)).toBeUndefined();
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('drops a body that is not JSON, naming the problem', async () => {
    const a = await deliver('{"kind":"daily-report","to":"jane.doe@example.com"');
    expect([a.status, a.body.outcome, a.body.code]).toEqual([200, 'dropped', 'invalid-json']);
    expect(a.logs).not.toContain('jane.doe@example.com');
  });
});
