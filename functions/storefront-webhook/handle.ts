/**
 * storefront-webhook's logic: verify the signature, validate the event, record the order, enqueue the
 * notification. Answers 202 with the tasks (see the README's storefront contract).
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { RequestError, describeIssues, fieldIssues } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import type { Orders } from '../../shared/orders.ts';
import type { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { EVENT_TYPES, EventEnvelope, StorefrontEvent } from '../../shared/schemas/events.ts';
import type { NotificationPayload } from '../../shared/schemas/notifications.ts';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../shared/signature.ts';
import type { Enqueue } from '../../shared/tasks.ts';

export interface WebhookDeps {
  orders: Orders;
  enqueue: Enqueue<typeof QUEUE_SCHEMAS>;
  secrets: readonly string[];
  toleranceSeconds: number;
  now: () => number;
}

/** The notification an event asks for. */
export function notificationFor(e: StorefrontEvent): NotificationPayload {
  switch (e.type) {
    case 'order.created':
      return { kind: 'order-confirmation', idempotencyKey: e.id, eventId: e.id, order: e.data.order };
    case 'order.shipped':
      return { kind: 'shipping-update', idempotencyKey: e.id, eventId: e.id, shipment: e.data };
    case 'order.cancelled':
      return { kind: 'order-cancelled', idempotencyKey: e.id, eventId: e.id, cancellation: e.data };
  }
}

export function createWebhookHandler(d: WebhookDeps) {
  return async (req: Request, res: Response, log: Logger): Promise<void> => {
    verifyWebhookSignature({ header: req.get(SIGNATURE_HEADER), rawBody: req.rawBody, secrets: d.secrets, now: d.now(), toleranceSeconds: d.toleranceSeconds });
    const envelope = EventEnvelope.safeParse(req.body);
    if (!envelope.success) throw invalid(envelope.error.issues);
    if (!(EVENT_TYPES as readonly string[]).includes(envelope.data.type)) {
      log.warn('Ignored a storefront event of an unknown type', { eventId: envelope.data.id, type: envelope.data.type });
      res.status(202).json({ eventId: envelope.data.id, ignored: true, tasks: [] });
      return;
    }
    const parsed = StorefrontEvent.safeParse(req.body);
    if (!parsed.success) throw invalid(parsed.error.issues);
    const event = parsed.data;
    const { previous, order } = await d.orders.recordEvent(event);
    if (previous?.tasks) {
      log.info('Storefront event delivered again; nothing new enqueued', { eventId: event.id, type: event.type });
      res.status(202).json({ eventId: event.id, tasks: previous.tasks.map((t) => ({ ...t, duplicate: true })) });
      return;
    }
    const task = await d.enqueue('notifications', notificationFor(event), { idempotencyKey: event.id });
    const tasks = [{ queue: 'notifications', name: task.name }];
    await d.orders.markEnqueued(event.id, tasks);
    log.info('Storefront event accepted', { eventId: event.id, type: event.type, orderId: order.orderId, status: order.status, task: task.name, duplicate: task.duplicate });
    res.status(202).json({ eventId: event.id, tasks: [{ ...tasks[0], duplicate: task.duplicate }] });
  };
}

function invalid(issues: Parameters<typeof fieldIssues>[0]): RequestError {
  const details = fieldIssues(issues);
  return new RequestError(400, 'invalid-payload', `Invalid storefront event: ${describeIssues(details)}`, { details });
}
