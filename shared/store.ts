/**
 * Firestore access for every function: the client, and the documents the functions share.
 * - `orders/{orderId}`: the order as the events describe it, converging whatever the order of delivery;
 * - `events/{eventId}`: each storefront event received, and the tasks it enqueued;
 * - `deliveries/{key}`: one per email, claimed with a lease before sending and marked sent after;
 * - `deadLetters/{id}`: tasks given up, with their payload, for inspection and redrive.
 */
import type { Firestore, Transaction } from '@google-cloud/firestore';
import type { PassThroughClient } from 'google-auth-library';
import { AppError, RetryableError } from './errors.ts';
import { lazyObject, loadPackage, withEnv } from './lazy.ts';
import type { Cancellation, Order, Shipment, StorefrontEvent } from './schemas/events.ts';

/**
 * The Firestore client, made on first use (shared/lazy.ts): the library loads when the first request needs it, not
 * at cold start. `emulatorHost` (`host:port`) points it at the emulator.
 */
export function createFirestore(o: { projectId: string; databaseId: string; emulatorHost?: string | undefined }): Firestore {
  // The library lets FIRESTORE_EMULATOR_HOST override its settings when the client is made: the value it had here.
  const envHost = process.env.FIRESTORE_EMULATOR_HOST;
  return lazyObject(() => {
    const { Firestore } = loadPackage<typeof import('@google-cloud/firestore')>('@google-cloud/firestore');
    const { PassThroughClient: PassThrough } = loadPackage<{ PassThroughClient: typeof PassThroughClient }>('google-auth-library');
    return withEnv('FIRESTORE_EMULATOR_HOST', envHost, () => new Firestore({
      projectId: o.projectId,
      databaseId: o.databaseId,
      // The emulator needs no credentials; a pass-through auth client keeps the library from looking for them.
      ...(o.emulatorHost ? { host: o.emulatorHost, ssl: false, authClient: new PassThrough() } : {}),
      ignoreUndefinedProperties: true,
    }));
    // The document modules take their collections when they are built, at cold start.
  }, ['collection']);
}

/** gRPC codes that mean "try again later": CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE. */
const TRANSIENT = new Set([1, 2, 4, 8, 10, 13, 14]);

/** How long one Firestore operation may take before callers answer 503 (the client itself retries for minutes). */
export const DEFAULT_FIRESTORE_TIMEOUT_MS = 10_000;

/**
 * Runs a Firestore operation, turning an outage (a transient gRPC code, or no answer within `timeoutMs`) into a
 * `RetryableError`, so callers answer 503 instead of hanging. An operation that times out may still complete;
 * every write here is idempotent, so the caller's retry converges.
 */
export async function firestoreCall<T>(what: string, fn: () => Promise<T>, timeoutMs = DEFAULT_FIRESTORE_TIMEOUT_MS): Promise<T> {
  // Started before the clock: a first call's library load (shared/lazy.ts) is not Firestore being slow.
  let pending: Promise<T>;
  try {
    pending = fn();
  } catch (err) {
    pending = Promise.reject(err);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RetryableError('dependency-unavailable', `Firestore did not answer within ${timeoutMs} ms (${what})`)), timeoutMs);
  });
  try {
    return await Promise.race([pending, timeout]);
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'number' || TRANSIENT.has(code)) {
      throw new RetryableError('dependency-unavailable', `Firestore is unavailable (${what}): ${(err as Error).message}`, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Options of the document accessors. */
export interface StoreOptions {
  /** The clock. @default () => new Date() */
  now?: () => Date;
  /** Per-operation time limit. @default 10000 */
  timeoutMs?: number;
}

export type OrderStatus = 'created' | 'shipped' | 'cancelled';
/** Later statuses win, whatever order the events arrive in: a late `order.created` does not undo a cancellation. */
const RANK: Record<OrderStatus, number> = { created: 0, shipped: 1, cancelled: 2 };

/** `orders/{orderId}`. */
export interface OrderDoc {
  orderId: string;
  /** The order, once `order.created` has arrived. */
  order?: Order;
  status: OrderStatus;
  /** When each status was reached (the event's time). */
  statusAt: Partial<Record<OrderStatus, string>>;
  shipment?: Shipment;
  cancellation?: Cancellation;
  updatedAt: string;
}

/** `events/{eventId}`. */
export interface EventDoc {
  eventId: string;
  type: string;
  orderId: string;
  receivedAt: string;
  /** Set once the event's tasks are enqueued. */
  tasks?: { queue: string; name: string }[];
  enqueuedAt?: string;
}

const orderIdOf = (e: StorefrontEvent): string => (e.type === 'order.created' ? e.data.order.id : e.data.orderId);

/** Folds one event into the stored order. Pure, idempotent and commutative, so any delivery order converges. */
export function applyEvent(doc: OrderDoc | undefined, e: StorefrontEvent, now: string): OrderDoc {
  const next: OrderDoc = doc ? { ...doc, statusAt: { ...doc.statusAt } } : { orderId: orderIdOf(e), status: 'created', statusAt: {}, updatedAt: now };
  const reach = (status: OrderStatus, at: string) => {
    const prev = next.statusAt[status];
    next.statusAt[status] = prev && prev < at ? prev : at;
  };
  if (e.type === 'order.created') {
    next.order = e.data.order;
    reach('created', e.data.order.createdAt);
  } else if (e.type === 'order.shipped') {
    // Two shipments of one order: keep the later one, so both delivery orders agree.
    if (!next.shipment || later(e.data.shippedAt, next.shipment.shippedAt, e.data.trackingNumber, next.shipment.trackingNumber)) next.shipment = e.data;
    reach('shipped', e.data.shippedAt);
  } else {
    if (!next.cancellation || later(e.data.cancelledAt, next.cancellation.cancelledAt, e.data.reason ?? '', next.cancellation.reason ?? '')) next.cancellation = e.data;
    reach('cancelled', e.data.cancelledAt);
  }
  next.status = (Object.keys(next.statusAt) as OrderStatus[]).reduce<OrderStatus>((a, s) => (RANK[s] > RANK[a] ? s : a), 'created');
  next.updatedAt = now;
  return next;
}

function later(at: string, prevAt: string, tie: string, prevTie: string): boolean {
  const a = Date.parse(at);
  const b = Date.parse(prevAt);
  return a !== b ? a > b : tie > prevTie;
}

/** The shared document accessors, built once at cold start. */
export function createStore(db: Firestore, o: StoreOptions = {}) {
  const now = o.now ?? (() => new Date());
  const call = <T>(what: string, fn: () => Promise<T>): Promise<T> => firestoreCall(what, fn, o.timeoutMs);
  const orders = db.collection('orders');
  const events = db.collection('events');
  return {
    db,
    /**
     * Records an event and folds it into its order, in one transaction. Returns the event record as it was
     * before (so a redelivered event is recognised) and the order after.
     */
    recordEvent: (e: StorefrontEvent) =>
      call('record event', () =>
        db.runTransaction(async (tx: Transaction) => {
          const orderRef = orders.doc(orderIdOf(e));
          const eventRef = events.doc(e.id);
          const [orderSnap, eventSnap] = await tx.getAll(orderRef, eventRef);
          const at = now().toISOString();
          const order = applyEvent(orderSnap?.exists ? (orderSnap.data() as OrderDoc) : undefined, e, at);
          const previous = eventSnap?.exists ? (eventSnap.data() as EventDoc) : undefined;
          tx.set(orderRef, order);
          if (!previous) tx.create(eventRef, { eventId: e.id, type: e.type, orderId: orderIdOf(e), receivedAt: at } satisfies EventDoc);
          return { previous, order };
        }),
      ),
    /** Marks an event's tasks as enqueued. */
    markEnqueued: (eventId: string, tasks: { queue: string; name: string }[]) =>
      call('mark event enqueued', () => events.doc(eventId).set({ tasks, enqueuedAt: now().toISOString() }, { merge: true })),
    getOrder: (orderId: string) =>
      call('read order', async () => {
        const snap = await orders.doc(orderId).get();
        return snap.exists ? (snap.data() as OrderDoc) : undefined;
      }),
  };
}
export type Store = ReturnType<typeof createStore>;
