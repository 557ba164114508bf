/**
 * What every platform webhook function is configured with and builds at cold start: the settings of the intake
 * (Firestore, Cloud Tasks, send-notification's URL, the body limit), and `accept`, which hands one event to the
 * intake core: record the event and fold it into the order in one transaction, enqueue the notification once,
 * mark the event enqueued (the same steps as storefront-webhook).
 */
import { z } from 'zod';
import { BaseEnv, FirestoreEnv, TasksEnv, csv, url } from '../config.ts';
import { QUEUE_SCHEMAS } from '../queues.ts';
import type { StorefrontEvent } from '../schemas/events.ts';
import type { NotificationPayload } from '../schemas/notifications.ts';
import { createFirestore } from '../firestore.ts';
import { createOrders } from '../orders.ts';
import { createEnqueuer, createTasksClient } from '../tasks.ts';
import type { Accept } from './hand-over.ts';

export const PlatformWebhookEnv = BaseEnv.extend(TasksEnv.shape).extend(FirestoreEnv.shape).extend({
  /** URL of send-notification, and the OIDC audience it expects (default: the URL). */
  SEND_NOTIFICATION_URL: url,
  SEND_NOTIFICATION_AUDIENCE: z.string().min(1).optional(),
  /** Largest accepted body. @default 1048576 */
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
});
export type PlatformWebhookEnv = z.output<typeof PlatformWebhookEnv>;

/** A comma-separated list of signing secrets (several during a rotation), each of at least 16 characters. */
export const WebhookSecrets = csv.pipe(z.array(z.string().min(16, 'each secret must have at least 16 characters')).min(1));

/** PROVISIONAL until the intake core lands (issue 13 point 1): the notification an event asks for. */
function notificationFor(e: StorefrontEvent): NotificationPayload {
  if (e.type === 'order.created') return { kind: 'order-confirmation', idempotencyKey: e.id, eventId: e.id, order: e.data.order };
  if (e.type === 'order.shipped') return { kind: 'shipping-update', idempotencyKey: e.id, eventId: e.id, shipment: e.data };
  return { kind: 'order-cancelled', idempotencyKey: e.id, eventId: e.id, cancellation: e.data };
}

/** Builds the Firestore and Cloud Tasks clients once, and the `accept` of the intake. */
export function createAccept(config: PlatformWebhookEnv): Accept {
  const orders = createOrders(createFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT, databaseId: config.FIRESTORE_DATABASE, emulatorHost: config.FIRESTORE_EMULATOR_HOST }), { timeoutMs: config.FIRESTORE_TIMEOUT_MS });
  const enqueue = createEnqueuer({
    client: createTasksClient({ emulatorHost: config.CLOUD_TASKS_EMULATOR_HOST }),
    project: config.GOOGLE_CLOUD_PROJECT,
    location: config.TASKS_LOCATION,
    serviceAccount: config.TASKS_INVOKER_SERVICE_ACCOUNT,
    schemas: QUEUE_SCHEMAS,
    targets: { notifications: { url: config.SEND_NOTIFICATION_URL, audience: config.SEND_NOTIFICATION_AUDIENCE ?? config.SEND_NOTIFICATION_URL } },
  });
  return async (event) => {
    const { previous } = await orders.recordEvent(event);
    if (previous?.tasks) return { eventId: event.id, tasks: previous.tasks.map((t) => ({ ...t, duplicate: true })) };
    const task = await enqueue('notifications', notificationFor(event), { idempotencyKey: event.id });
    await orders.markEnqueued(event.id, [{ queue: 'notifications', name: task.name }]);
    return { eventId: event.id, tasks: [{ queue: 'notifications', name: task.name, duplicate: task.duplicate }] };
  };
}
