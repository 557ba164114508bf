/**
 * `orders/{orderId}`: the order as the events describe it, converging whatever the order of delivery; and
 * `events/{eventId}`: each storefront event received, and the tasks it enqueued. Both are written in one
 * transaction, so they live in one module.
 */
import {
  documentTools,
  firestoreLibrary,
  type DocumentOptions,
  type Firestore,
  type Timestamp,
  type Transaction,
} from './firestore.ts';
import type { Cancellation, Order, Shipment, StorefrontEvent } from './schemas/events.ts';

export type OrderStatus = 'created' | 'shipped' | 'completed' | 'cancelled';
/**
 * Later statuses win, whatever order the events arrive in: a late `order.created` does not undo a cancellation, a
 * late shipment does not undo a completion.
 */
const RANK: Record<OrderStatus, number> = { created: 0, shipped: 1, completed: 2, cancelled: 3 };

/** `orders/{orderId}`. */
export interface OrderDoc {
  orderId: string;
  /** The order, once `order.created` has arrived. */
  order?: Order;
  /** `order.createdAt` as a Firestore Timestamp (set with `order`): the indexed field daily reports page by. */
  createdAt?: Timestamp;
  status: OrderStatus;
  /** When each status was reached (the event's time). */
  statusAt: Partial<Record<OrderStatus, string>>;
  shipment?: Shipment;
  cancellation?: Cancellation;
  /** The trace of the order's journey: the first delivery's; every task of the order continues it. */
  traceId?: string;
  traceSampled?: boolean;
  updatedAt: string;
}

/** A task an event enqueued. */
export interface EnqueuedTask {
  queue: string;
  name: string;
}

/** `events/{eventId}`. */
export interface EventDoc {
  eventId: string;
  type: string;
  orderId: string;
  receivedAt: string;
  /** Set once the event's tasks are enqueued; `[]` from the start for an event that enqueues nothing. */
  tasks?: EnqueuedTask[];
  enqueuedAt?: string;
}

/** How the webhook answered a delivery: a new event, one seen before (nothing new), or one that failed. */
export type DeliveryAnswer = 'accepted' | 'duplicate' | 'failed';

/** `events/{eventId}/deliveries/{id}`: one delivery of an event by a storefront (a redelivery adds another). */
export interface DeliveryNote {
  at: string;
  /** `storefront`, `shopify` or `woocommerce`. */
  platform: string;
  /** The platform's own id of the delivery, when it sends one. */
  deliveryId?: string;
  /** The trace of the request that delivered it. */
  traceId?: string;
  answer: DeliveryAnswer;
  /** The HTTP status answered. */
  status?: number;
  /** Why it failed (an error code), when it did. */
  code?: string;
}

/** What `recordEvent` notes about the delivery being recorded. */
export interface DeliverySource {
  platform: string;
  deliveryId?: string | undefined;
  /** The status answered when the delivery is accepted. */
  status: number;
  trace?: { traceId: string; sampled: boolean } | undefined;
}

const orderIdOf = (e: StorefrontEvent): string => (e.type === 'order.created' ? e.data.order.id : e.data.orderId);

/** Folds one event into the stored order. Pure, idempotent and commutative, so any delivery order converges. */
export function applyEvent(doc: OrderDoc | undefined, e: StorefrontEvent, now: string): OrderDoc {
  const next: OrderDoc = doc
    ? { ...doc, statusAt: { ...doc.statusAt } }
    : { orderId: orderIdOf(e), status: 'created', statusAt: {}, updatedAt: now };
  const reach = (status: OrderStatus, at: string) => {
    const prev = next.statusAt[status];
    next.statusAt[status] = prev && prev < at ? prev : at;
  };
  switch (e.type) {
    case 'order.created':
      next.order = e.data.order;
      next.createdAt = firestoreLibrary().Timestamp.fromMillis(Date.parse(e.data.order.createdAt));
      reach('created', e.data.order.createdAt);
      break;
    case 'order.shipped':
      // Two shipments of one order: keep the later one, so both delivery orders agree.
      if (
        !next.shipment ||
        later(e.data.shippedAt, next.shipment.shippedAt, e.data.trackingNumber, next.shipment.trackingNumber)
      )
        next.shipment = e.data;
      reach('shipped', e.data.shippedAt);
      break;
    case 'order.cancelled':
      if (
        !next.cancellation ||
        later(e.data.cancelledAt, next.cancellation.cancelledAt, e.data.reason ?? '', next.cancellation.reason ?? '')
      )
        next.cancellation = e.data;
      reach('cancelled', e.data.cancelledAt);
      break;
    case 'order.completed':
      reach('completed', e.data.completedAt);
      break;
  }
  next.status = (Object.keys(next.statusAt) as OrderStatus[]).reduce<OrderStatus>(
    (a, s) => (RANK[s] > RANK[a] ? s : a),
    'created',
  );
  next.updatedAt = now;
  return next;
}

function later(at: string, prevAt: string, tie: string, prevTie: string): boolean {
  const a = Date.parse(at);
  const b = Date.parse(prevAt);
  return a !== b ? a > b : tie > prevTie;
}

/** The accessors of orders and events, built once at cold start. */
export function createOrders(db: Firestore, o: DocumentOptions = {}) {
  const { now, call } = documentTools(db, o);
  const orders = db.collection('orders');
  const events = db.collection('events');
  return {
    /**
     * Records an event and folds it into its order, in one transaction. Returns the event record as it was
     * before (so a redelivered event is recognised) and the order after. `enqueues: false` records an event that
     * enqueues nothing as complete (`tasks: []`) at once. With `source`, the delivery is noted under
     * `events/{eventId}/deliveries/` (its id returned as `delivery`), and an order without a trace takes the source's.
     */
    recordEvent: (
      e: StorefrontEvent,
      { enqueues = true, source }: { enqueues?: boolean; source?: DeliverySource } = {},
    ) =>
      call('record event', () =>
        db.runTransaction(async (tx: Transaction) => {
          const orderRef = orders.doc(orderIdOf(e));
          const eventRef = events.doc(e.id);
          const [orderSnap, eventSnap] = await tx.getAll(orderRef, eventRef);
          const at = now().toISOString();
          const order = applyEvent(orderSnap?.exists ? (orderSnap.data() as OrderDoc) : undefined, e, at);
          if (!order.traceId && source?.trace)
            Object.assign(order, { traceId: source.trace.traceId, traceSampled: source.trace.sampled });
          const previous = eventSnap?.exists ? (eventSnap.data() as EventDoc) : undefined;
          tx.set(orderRef, order);
          const done = enqueues ? {} : { tasks: [], enqueuedAt: at };
          if (!previous)
            tx.create(eventRef, {
              eventId: e.id,
              type: e.type,
              orderId: orderIdOf(e),
              receivedAt: at,
              ...done,
            } satisfies EventDoc);
          const delivery = source ? eventRef.collection('deliveries').doc() : undefined;
          if (delivery && source) {
            const note: DeliveryNote = {
              at,
              platform: source.platform,
              ...(source.deliveryId ? { deliveryId: source.deliveryId } : {}),
              ...(source.trace ? { traceId: source.trace.traceId } : {}),
              answer: previous?.tasks ? 'duplicate' : 'accepted',
              status: source.status,
            };
            tx.create(delivery, note);
          }
          return { previous, order, delivery: delivery?.id };
        }),
      ),
    /** Records that a delivery noted by `recordEvent` failed after all (its answer was an error). */
    markDeliveryFailed: (eventId: string, delivery: string, failure: { status: number; code: string }) =>
      call('mark delivery failed', () =>
        events
          .doc(eventId)
          .collection('deliveries')
          .doc(delivery)
          .update({ answer: 'failed', ...failure }),
      ),
    /** The deliveries of an event, oldest first. */
    deliveriesOf: (eventId: string) =>
      call('read deliveries', async () =>
        (await events.doc(eventId).collection('deliveries').orderBy('at').get()).docs.map(
          (d) => d.data() as DeliveryNote,
        ),
      ),
    /** Marks an event's tasks as enqueued. */
    markEnqueued: (eventId: string, tasks: EnqueuedTask[]) =>
      call('mark event enqueued', () =>
        events.doc(eventId).set({ tasks, enqueuedAt: now().toISOString() }, { merge: true }),
      ),
    getOrder: (orderId: string) =>
      call('read order', async () => {
        const snap = await orders.doc(orderId).get();
        return snap.exists ? (snap.data() as OrderDoc) : undefined;
      }),
  };
}
export type Orders = ReturnType<typeof createOrders>;
