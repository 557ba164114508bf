/**
 * Writes storefront events into Firestore the way storefront-webhook records them (`recordEvent`): each event is
 * folded into `orders/{orderId}` with the same `applyEvent`, and `events/{eventId}` is created the first time it is
 * seen, both in one transaction. For speed, one transaction covers a batch of orders, and a few run at once. The
 * seed enqueues no emails (no `tasks` on the event records): 100,000 order confirmations would be no help.
 *
 * A re-run converges: the fold is idempotent and known events are not recorded twice. Reading the stored orders
 * back (`readOrders`) is what the expected report is computed from.
 */
import type { Firestore, QueryDocumentSnapshot, Transaction } from '../../shared/firestore.ts';
import type { StorefrontEvent } from '../../shared/schemas/events.ts';
import { applyEvent, type EventDoc, type OrderDoc } from '../../shared/orders.ts';

export interface WriteOptions {
  /** Orders per transaction (each with its event records: at most 3 writes per order, 500 per transaction). @default 150 */
  batchOrders?: number;
  /** Transactions in flight. @default 8 */
  concurrency?: number;
  /** The clock for `updatedAt` and `receivedAt`. @default () => new Date() */
  now?: () => Date;
  /** Called after each committed batch with the orders and events written so far. */
  onProgress?: (done: { orders: number; events: number }) => void;
}

const orderIdOf = (e: StorefrontEvent): string => (e.type === 'order.created' ? e.data.order.id : e.data.orderId);

/** Writes `events` (any order, duplicates allowed); resolves with the counts once every batch is committed. */
export async function writeEvents(
  db: Firestore,
  events: Iterable<StorefrontEvent>,
  o: WriteOptions = {},
): Promise<{ orders: number; events: number }> {
  const batchOrders = o.batchOrders ?? 150;
  const concurrency = o.concurrency ?? 8;
  const now = o.now ?? (() => new Date());
  const done = { orders: 0, events: 0 };
  const inFlight = new Set<Promise<void>>();
  let failed: unknown;

  const flush = async (batch: Map<string, StorefrontEvent[]>) => {
    const p = writeBatch(db, batch, now().toISOString()).then(
      () => {
        done.orders += batch.size;
        for (const evs of batch.values()) done.events += evs.length;
        o.onProgress?.({ ...done });
      },
      (err: unknown) => void (failed ??= err),
    );
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  };

  let batch = new Map<string, StorefrontEvent[]>();
  for (const e of events) {
    if (failed) break;
    const id = orderIdOf(e);
    if (!batch.has(id) && batch.size >= batchOrders) {
      await flush(batch);
      batch = new Map();
    }
    batch.set(id, [...(batch.get(id) ?? []), e]);
  }
  if (batch.size && !failed) await flush(batch);
  await Promise.all(inFlight);
  if (failed) throw failed;
  return done;
}

async function writeBatch(db: Firestore, batch: Map<string, StorefrontEvent[]>, at: string): Promise<void> {
  const orders = db.collection('orders');
  const eventsCol = db.collection('events');
  const ids = [...batch.keys()];
  const events = [...new Map([...batch.values()].flat().map((e) => [e.id, e])).values()];
  await db.runTransaction(async (tx: Transaction) => {
    const snaps = await tx.getAll(...ids.map((id) => orders.doc(id)), ...events.map((e) => eventsCol.doc(e.id)));
    ids.forEach((id, i) => {
      const snap = snaps[i]!;
      let doc = snap.exists ? (snap.data() as OrderDoc) : undefined;
      for (const e of batch.get(id)!) doc = applyEvent(doc, e, at);
      tx.set(orders.doc(id), doc!);
    });
    events.forEach((e, i) => {
      if (snaps[ids.length + i]!.exists) return;
      tx.create(eventsCol.doc(e.id), {
        eventId: e.id,
        type: e.type,
        orderId: orderIdOf(e),
        receivedAt: at,
      } satisfies EventDoc);
    });
  });
}

/**
 * Every stored order, with only the fields the report reads (a field mask keeps 100,000 orders in tens of
 * megabytes), streamed by one query (paging with cursors is three times slower on the emulator). Reads the whole
 * collection: the expected report is a second, independent computation, so it does not trust the `createdAt`
 * index that aggregate-orders pages by.
 */
export async function readOrders(
  db: Firestore,
  o: { onRead?: (read: number) => void; every?: number } = {},
): Promise<OrderDoc[]> {
  const fields = [
    'orderId',
    'status',
    'order.createdAt',
    'order.currency',
    'order.lines',
    'order.subtotal',
    'order.shipping',
    'order.tax',
    'order.discount',
    'order.total',
  ];
  const every = o.every ?? 10_000;
  const out: OrderDoc[] = [];
  for await (const snap of db
    .collection('orders')
    .select(...fields)
    .stream()) {
    out.push((snap as unknown as QueryDocumentSnapshot).data() as OrderDoc); // the stream is typed as a NodeJS stream of any chunk
    if (out.length % every === 0) o.onRead?.(out.length);
  }
  return out;
}
