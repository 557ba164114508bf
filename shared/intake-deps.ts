/**
 * What every webhook function (storefront-webhook, shopify-webhook, woocommerce-webhook) is configured with and
 * builds at cold start: the settings of the intake (Firestore, Cloud Tasks, send-notification's URL, the body
 * limit, the signing secrets' format) and the intake core's clients (shared/intake.ts).
 */
import { z } from 'zod';
import { BaseEnv, FirestoreEnv, TasksEnv, csv, url } from './config.ts';
import { QUEUE_SCHEMAS } from './queues.ts';
import { createFirestore } from './firestore.ts';
import { createOrders } from './orders.ts';
import { enqueuerFromConfig, targetOf } from './tasks.ts';
import type { IntakeDeps } from './intake.ts';

export const IntakeEnv = BaseEnv.extend(TasksEnv.shape)
  .extend(FirestoreEnv.shape)
  .extend({
    /** URL of send-notification, and the OIDC audience it expects (default: the URL). */
    SEND_NOTIFICATION_URL: url,
    SEND_NOTIFICATION_AUDIENCE: z.string().min(1).optional(),
    /** Largest accepted body. @default 1048576 */
    WEBHOOK_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
  });
export type IntakeEnv = z.output<typeof IntakeEnv>;

/** A comma-separated list of signing secrets (several during a rotation), each of at least 16 characters. */
export const WebhookSecrets = csv.pipe(
  z.array(z.string().min(16, 'each secret must have at least 16 characters')).min(1),
);

/** Builds the Firestore and Cloud Tasks clients once, at cold start: the intake core's dependencies but the logger. */
export function createIntakeDeps(config: IntakeEnv): Omit<IntakeDeps, 'log'> {
  const orders = createOrders(
    createFirestore({
      projectId: config.GOOGLE_CLOUD_PROJECT,
      databaseId: config.FIRESTORE_DATABASE,
      emulatorHost: config.FIRESTORE_EMULATOR_HOST,
    }),
    { timeoutMs: config.FIRESTORE_TIMEOUT_MS },
  );
  const enqueue = enqueuerFromConfig(config, QUEUE_SCHEMAS, {
    notifications: targetOf(config.SEND_NOTIFICATION_URL, config.SEND_NOTIFICATION_AUDIENCE),
  });
  return { orders, enqueue };
}
