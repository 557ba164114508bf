/**
 * The intake core every storefront webhook shares, free of HTTP: `accept(event, deps)` validates a storefront event
 * (as JSON), folds it into its order and enqueues its notification, and returns what to answer. A webhook function
 * owns HTTP: it verifies its signature over the raw body, lets `publicEndpoint` check method, size, content type and
 * JSON, calls `accept` and answers 202 with the result. An adapter for another storefront (Shopify, WooCommerce) is
 * the same function with its own signature check and a translation of its payload into a `StorefrontEvent` before
 * `accept`; that is why this lives in shared/ and not in functions/storefront-webhook/.
 */
import { AppError, RequestError, RetryableError, describeIssues, fieldIssues } from './errors.ts';
import type { Logger } from './log.ts';
import type { Orders } from './orders.ts';
import type { QUEUE_SCHEMAS } from './queues.ts';
import { EVENT_DATA, EventEnvelope, PingEvent, type StorefrontEvent } from './schemas/events.ts';
import type { NotificationPayload } from './schemas/notifications.ts';
import type { Enqueue } from './tasks.ts';
import { traceLogFields, withTraceId, type Trace } from './trace.ts';

export interface IntakeDeps {
  orders: Orders;
  enqueue: Enqueue<typeof QUEUE_SCHEMAS>;
  log: Logger;
  /** The request's trace. The order keeps the trace of its first delivery, and its tasks continue that one. */
  trace?: Trace;
  /** Who delivered the event and what a success answers, noted with the event (the order's timeline). */
  source?: { platform: string; deliveryId?: string | undefined; status: number };
}

/** The result of `accept`, answered as is with 202 (see docs/storefront-contract.md). */
export interface Accepted {
  eventId: string;
  /** The event's tasks; `duplicate` when the event (or its task) was already there. */
  tasks: { queue: string; name: string; duplicate: boolean }[];
  /** True for a type we do not act on (nothing stored or enqueued). */
  ignored?: true;
  /** True for a `ping`: a signed test delivery (nothing stored or enqueued). */
  ping?: true;
}

/** The notification an event asks for; `order.completed` only changes the stored status. */
export function notificationFor(e: StorefrontEvent): NotificationPayload | undefined {
  switch (e.type) {
    case 'order.created':
      return { kind: 'order-confirmation', idempotencyKey: e.id, eventId: e.id, order: e.data.order };
    case 'order.shipped':
      return { kind: 'shipping-update', idempotencyKey: e.id, eventId: e.id, shipment: e.data };
    case 'order.cancelled':
      return { kind: 'order-cancelled', idempotencyKey: e.id, eventId: e.id, cancellation: e.data };
    case 'order.completed':
      return undefined;
  }
}

/**
 * Validates `event`, then records it and enqueues its notification, once: a redelivered event answers its earlier
 * tasks with `duplicate: true`. Throws a 400 `RequestError` naming every invalid field (nothing written), or a
 * `RetryableError` when Firestore or Cloud Tasks is unavailable (a retry converges).
 */
export async function accept(event: unknown, d: IntakeDeps): Promise<Accepted> {
  const parsed = parseEvent(event);
  if ('ping' in parsed) {
    d.log.info('Storefront ping answered', { eventId: parsed.ping.id });
    return { eventId: parsed.ping.id, ping: true, tasks: [] };
  }
  if ('ignored' in parsed) {
    d.log.warn('Ignored a storefront event of an unknown type', parsed.ignored);
    return { eventId: parsed.ignored.eventId, ignored: true, tasks: [] };
  }
  const e = parsed.event;
  const notification = notificationFor(e);
  const source = d.source && { ...d.source, trace: d.trace };
  const { previous, order, delivery } = await d.orders.recordEvent(e, { enqueues: notification !== undefined, source });
  // From here on the delivery belongs to its order's journey: its lines and tasks are in the order's trace.
  const trace = d.trace && order.traceId ? withTraceId(d.trace, order.traceId, order.traceSampled) : d.trace;
  const log =
    trace && trace.traceId !== d.trace?.traceId
      ? d.log.child({ fields: { ...traceLogFields(trace), requestTrace: d.trace?.traceId } })
      : d.log;
  if (previous?.tasks) {
    log.info('Storefront event delivered again; nothing new enqueued', {
      eventId: e.id,
      type: e.type,
      orderId: order.orderId,
    });
    return { eventId: e.id, tasks: previous.tasks.map((t) => ({ ...t, duplicate: true })) };
  }
  if (!notification) {
    log.info('Storefront event recorded; it sends no email', {
      eventId: e.id,
      type: e.type,
      orderId: order.orderId,
      status: order.status,
    });
    return { eventId: e.id, tasks: [] };
  }
  try {
    const task = await d.enqueue('notifications', notification, { idempotencyKey: e.id, ...(trace ? { trace } : {}) });
    const tasks = [{ queue: 'notifications', name: task.name }];
    await d.orders.markEnqueued(e.id, tasks);
    log.info('Storefront event accepted', {
      eventId: e.id,
      type: e.type,
      orderId: order.orderId,
      status: order.status,
      task: task.name,
      duplicate: task.duplicate,
    });
    return { eventId: e.id, tasks: [{ ...tasks[0]!, duplicate: task.duplicate }] };
  } catch (err) {
    if (delivery) {
      const failure = {
        status: err instanceof RetryableError ? 503 : 500,
        code: err instanceof AppError ? err.code : 'internal',
      };
      await d.orders.markDeliveryFailed(e.id, delivery, failure).catch(() => {});
    }
    throw err;
  }
}

/** The envelope first (an unknown type is ignored), then the data with its type's schema: each part parsed once. */
function parseEvent(
  input: unknown,
): { event: StorefrontEvent } | { ping: PingEvent } | { ignored: { eventId: string; type: string } } {
  const envelope = EventEnvelope.safeParse(input);
  if (!envelope.success) throw invalid(envelope.error.issues);
  if (envelope.data.type === 'ping') {
    const ping = PingEvent.safeParse(input);
    if (!ping.success) throw invalid(ping.error.issues);
    return { ping: ping.data };
  }
  const { data, ...head } = envelope.data;
  const schema = EVENT_DATA.get(head.type);
  if (!schema) return { ignored: { eventId: head.id, type: head.type } };
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => ({ ...i, path: ['data', ...i.path] })));
  // The data matched the schema of this type: together they are that member of the union.
  return { event: { ...head, data: parsed.data } as StorefrontEvent };
}

function invalid(issues: Parameters<typeof fieldIssues>[0]): RequestError {
  const details = fieldIssues(issues);
  return new RequestError(400, 'invalid-payload', `Invalid storefront event: ${describeIssues(details)}`, { details });
}
