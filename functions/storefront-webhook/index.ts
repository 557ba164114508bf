/** storefront-webhook: the public endpoint storefronts post signed order events to. */
import { http } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { BaseEnv, FirestoreEnv, TasksEnv, csv, loadConfig, url } from '../../shared/config.ts';
import { publicEndpoint } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { createFirestore } from '../../shared/firestore.ts';
import { createOrders } from '../../shared/orders.ts';
import { createEnqueuer, createTasksClient } from '../../shared/tasks.ts';
import { createWebhookHandler } from './handle.ts';

const Env = BaseEnv.extend(TasksEnv.shape).extend(FirestoreEnv.shape).extend({
  /** Secrets the storefront signs with (comma-separated; several during a rotation). */
  STOREFRONT_WEBHOOK_SECRETS: csv.pipe(z.array(z.string().min(16, 'each secret must have at least 16 characters')).min(1)),
  /** URL of send-notification, and the OIDC audience it expects (default: the URL). */
  SEND_NOTIFICATION_URL: url,
  SEND_NOTIFICATION_AUDIENCE: z.string().min(1).optional(),
  /** Largest accepted body. @default 1048576 */
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  /** How old or new a signature may be. @default 300 */
  WEBHOOK_SIGNATURE_TOLERANCE_SECONDS: z.coerce.number().int().positive().default(300),
});

const config = loadConfig(Env);
const log = createLogger({ level: config.LOG_LEVEL, labels: { function: config.K_SERVICE ?? 'storefront-webhook' } });
const orders = createOrders(createFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT, databaseId: config.FIRESTORE_DATABASE, emulatorHost: config.FIRESTORE_EMULATOR_HOST }), { timeoutMs: config.FIRESTORE_TIMEOUT_MS });
const enqueue = createEnqueuer({
  client: createTasksClient({ emulatorHost: config.CLOUD_TASKS_EMULATOR_HOST }),
  project: config.GOOGLE_CLOUD_PROJECT,
  location: config.TASKS_LOCATION,
  serviceAccount: config.TASKS_INVOKER_SERVICE_ACCOUNT,
  schemas: QUEUE_SCHEMAS,
  targets: { notifications: { url: config.SEND_NOTIFICATION_URL, audience: config.SEND_NOTIFICATION_AUDIENCE ?? config.SEND_NOTIFICATION_URL } },
});

http(
  'storefront-webhook',
  publicEndpoint({
    log,
    project: config.GOOGLE_CLOUD_PROJECT,
    maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
    handler: createWebhookHandler({ orders, enqueue, secrets: config.STOREFRONT_WEBHOOK_SECRETS, toleranceSeconds: config.WEBHOOK_SIGNATURE_TOLERANCE_SECONDS, now: Date.now }),
  }),
);
