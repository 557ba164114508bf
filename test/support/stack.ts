/**
 * The order-notification stack in this test process, wired only through configuration as `npm run dev` wires
 * it: our Cloud Tasks emulator (queues.json), the Firestore emulator, the mail sink, and storefront-webhook and
 * send-notification served by functions-framework. Call once per test file (functions register once per process).
 */
import type { Firestore } from '../../shared/firestore.ts';
import { LOCAL_FIRESTORE_TIMEOUT_MS, LOCAL_MAIL } from '../../local/stack-file.ts';
import type { StackSettings } from '../../ops/settings/catalogue.ts';
import { settingsEnv } from '../../ops/settings/stack-env.ts';
import { startMailSink, type MailSink, type MailSinkOptions } from '../../local/mail-sink/server.ts';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../local/tasks-emulator/index.ts';
import { signWebhook } from '../../shared/signature.ts';
import { createDeadLetters } from '../../shared/dead-letters.ts';
import { createDeliveries } from '../../shared/deliveries.ts';
import { createOrders } from '../../shared/orders.ts';
import { testFirestore, warmUp } from './firestore.ts';
import { freePort } from './net.ts';
import { serveFunction } from './serve.ts';
import { captureLogs, type CapturedLogs } from './logs.ts';

export const SECRET = 'whsec_local_0123456789abcdef';
export const OLD_SECRET = 'whsec_old_secret_000000';
export const INVOKER = 'tasks-invoker@storefront-local.iam.gserviceaccount.com';

export interface Stack {
  projectId: string;
  emulator: Emulator;
  sink: MailSink;
  webhookUrl: string;
  notifierUrl: string;
  /** The Firestore client of the test stack (for documents no module writes, e.g. a report fixture). */
  db: Firestore;
  store: ReturnType<typeof createOrders>;
  deliveries: ReturnType<typeof createDeliveries>;
  deadLetters: ReturnType<typeof createDeadLetters>;
  /** The settings the functions got (also what ops tools need). */
  env: Record<string, string>;
  post(
    event: unknown,
    o?: {
      url?: string;
      secret?: string;
      t?: number;
      contentType?: string;
      raw?: string;
      headers?: Record<string, string>;
    },
  ): Promise<Response>;
  /** The log lines of the functions in this process, kept out of the test output (support/logs.ts). */
  logs: CapturedLogs;
  close(): Promise<void>;
}

export async function startStack(
  o: { emulator?: EmulatorOptions; sink?: MailSinkOptions; env?: Record<string, string> } = {},
): Promise<Stack> {
  const logs = captureLogs();
  const { db, host, projectId } = testFirestore('stack');
  await warmUp(db);
  const sink = await startMailSink({ apiKey: 'SG.local', ...o.sink });
  const emulator = await startEmulator({
    port: 0,
    project: projectId,
    location: 'us-central1',
    queues: 'queues.json',
    ...o.emulator,
  });
  const notifierPort = await freePort();
  const notifierUrl = `http://127.0.0.1:${notifierPort}/`;
  // The settings of the one catalogue (ops/settings/), filled from this stack's parts; both
  // functions run in this process, so they share the environment of send-notification, the task target.
  const settings: StackSettings = {
    project: projectId,
    location: 'us-central1',
    firestoreHost: host,
    tasksHost: `127.0.0.1:${emulator.port}`,
    issuer: emulator.issuer,
    jwksUrl: emulator.jwksUrl,
    mailUrl: sink.url,
    sendgridKey: 'SG.local',
    webhookSecret: `${OLD_SECRET},${SECRET}`,
    tasksInvoker: INVOKER,
    schedulerInvoker: `scheduler-invoker@${projectId}.iam.gserviceaccount.com`,
    logLevel: 'CRITICAL',
    mailFrom: LOCAL_MAIL.mailFrom,
    firestoreTimeoutMs: LOCAL_FIRESTORE_TIMEOUT_MS,
  };
  const target = { name: 'send-notification', access: 'task-target', url: notifierUrl } as const;
  const env = {
    ...settingsEnv(settings, target, [{ name: 'storefront-webhook', access: 'public', url: '' }, target]),
    ...o.env,
  };
  Object.assign(process.env, env);
  await import('../../functions/storefront-webhook/index.ts');
  await import('../../functions/send-notification/index.ts');
  const webhook = await serveFunction('storefront-webhook');
  const notifier = await serveFunction('send-notification', notifierPort);
  return {
    projectId,
    emulator,
    sink,
    webhookUrl: webhook.url,
    notifierUrl,
    db,
    store: createOrders(db),
    deliveries: createDeliveries(db),
    deadLetters: createDeadLetters(db),
    env,
    logs,
    post(event, p = {}) {
      const body = p.raw ?? JSON.stringify(event);
      const t = p.t ?? Math.floor(Date.now() / 1000);
      return fetch(p.url ?? webhook.url, {
        method: 'POST',
        headers: {
          'content-type': p.contentType ?? 'application/json',
          'x-storefront-signature': signWebhook(p.secret ?? SECRET, body, t),
          ...p.headers,
        },
        body,
      });
    },
    async close() {
      await Promise.all([webhook.close(), notifier.close()]);
      await emulator.close();
      await sink.close();
      await db.terminate();
      logs.stop();
    },
  };
}
