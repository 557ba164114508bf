import { afterAll, describe, expect, it } from 'vitest';
import type { StorefrontEvent } from '../../shared/schemas/events.ts';
import { RetryableError } from '../../shared/errors.ts';
import { createFirestore } from '../../shared/firestore.ts';
import { freePort } from '../support/net.ts';
import { applyEvent, createOrders, type OrderDoc } from '../../shared/orders.ts';
import { testFirestore } from '../support/firestore.ts';
import { cancelled, completed, created, shipped } from '../support/events.ts';

const { db } = testFirestore('store');
const store = createOrders(db, { now: () => new Date('2026-11-24T12:00:00Z') });
afterAll(() => db.terminate());

function permutations<T>(xs: T[]): T[][] {
  return xs.length <= 1
    ? [xs]
    : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
const fold = (events: StorefrontEvent[]) =>
  events.reduce<OrderDoc | undefined>((d, e) => applyEvent(d, e, 'now'), undefined);

describe('applyEvent', () => {
  const events = [created('o-1'), shipped('o-1'), cancelled('o-1')];
  it('converges to the same order whatever the delivery order, and with duplicates', () => {
    const expected = fold(events);
    expect(expected?.status).toBe('cancelled');
    for (const p of permutations(events)) expect(fold(p)).toEqual(expected);
    expect(fold([...events, events[0]!, events[1]!])).toEqual(expected);
  });

  it('converges with a completion too: completed outranks shipped, cancelled outranks completed', () => {
    const events = [created('o-4'), shipped('o-4'), completed('o-4')];
    for (const p of permutations(events)) expect(fold(p)?.status).toBe('completed');
    expect(fold([completed('o-4'), created('o-4')])?.order?.number).toBe('1001');
    for (const p of permutations([...events, cancelled('o-4')]))
      expect(fold(p)).toEqual(fold([...events, cancelled('o-4')]));
    expect(fold([...events, cancelled('o-4')])?.status).toBe('cancelled');
  });

  it('does not let a late order.created undo a cancellation', () => {
    const doc = fold([cancelled('o-2'), created('o-2')]);
    expect(doc?.status).toBe('cancelled');
    expect(doc?.order?.number).toBe('1001');
    expect(doc?.statusAt).toEqual({ cancelled: '2026-11-23T12:00:00Z', created: '2026-11-23T10:00:00Z' });
  });

  it('keeps the later of two shipments, in either order', () => {
    const a = shipped('o-3', { trackingNumber: 'A', shippedAt: '2026-11-23T11:00:00Z' });
    const b = shipped('o-3', { trackingNumber: 'B', shippedAt: '2026-11-23T11:30:00Z' });
    expect(fold([a, b])?.shipment?.trackingNumber).toBe('B');
    expect(fold([b, a])?.shipment?.trackingNumber).toBe('B');
  });
});

describe('createOrders (Firestore emulator)', () => {
  it('records an event and its order in one transaction, and recognises a redelivery', async () => {
    const e = created('o-10');
    const first = await store.recordEvent(e);
    expect(first.previous).toBeUndefined();
    expect(first.order.status).toBe('created');
    await store.markEnqueued(e.id, [
      { queue: 'notifications', name: 'projects/p/locations/l/queues/notifications/tasks/abc' },
    ]);
    const again = await store.recordEvent(e);
    expect(again.previous?.tasks).toEqual([
      { queue: 'notifications', name: 'projects/p/locations/l/queues/notifications/tasks/abc' },
    ]);
    expect((await store.getOrder('o-10'))?.order?.customer.email).toBe('jane@example.com');
  });

  it('converges in Firestore under concurrent out-of-order deliveries', async () => {
    const events = [shipped('o-11'), cancelled('o-11'), created('o-11'), shipped('o-11')];
    await Promise.all(events.map((e) => store.recordEvent(e)));
    const doc = await store.getOrder('o-11');
    expect({ ...doc, updatedAt: 'x' }).toEqual({ ...fold(events), updatedAt: 'x' });
    expect(doc?.status).toBe('cancelled');
  });

  it('gives up on an unreachable Firestore within its time limit, as a retryable error', async () => {
    const down = createFirestore({
      projectId: 'down',
      databaseId: '(default)',
      emulatorHost: `127.0.0.1:${await freePort()}`,
    });
    const unreachable = createOrders(down, { timeoutMs: 300 });
    const err = await unreachable.recordEvent(created('o-down')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect((err as RetryableError).code).toBe('dependency-unavailable');
    await down.terminate();
  });

  it('returns undefined for an unknown order', async () => {
    expect(await store.getOrder('nope')).toBeUndefined();
  });
});
