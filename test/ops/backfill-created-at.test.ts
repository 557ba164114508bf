// `npm run backfill-created-at` on the real Firestore emulator: sets the Timestamp from order.createdAt where it is
// missing or wrong, leaves orders without an order alone, pages, and a second run changes nothing.
import { Timestamp } from '@google-cloud/firestore';
import { afterAll, describe, expect, it } from 'vitest';
import { backfillCreatedAt } from '../../ops/backfill-created-at.ts';
import { applyEvent, type OrderDoc } from '../../shared/orders.ts';
import { cancelled, created } from '../support/events.ts';
import { testFirestore } from '../support/firestore.ts';

const { db } = testFirestore('backfill');
afterAll(() => db.terminate());

describe('backfill-created-at', () => {
  it('fills in createdAt, idempotently', async () => {
    const orders = db.collection('orders');
    const old = (id: string, at: string) => {
      const { createdAt: _, ...doc } = applyEvent(undefined, created(id, { createdAt: at }), 'now') as OrderDoc;
      return doc;
    };
    for (let i = 0; i < 7; i++) await orders.doc(`old-${i}`).set(old(`old-${i}`, `2026-11-2${i}T10:00:00+01:00`));
    await orders.doc('wrong').set({ ...old('wrong', '2026-11-22T10:00:00Z'), createdAt: Timestamp.fromMillis(0) });
    await orders
      .doc('right')
      .set(applyEvent(undefined, created('right', { createdAt: '2026-11-22T11:00:00Z' }), 'now'));
    await orders.doc('no-order').set(applyEvent(undefined, cancelled('no-order'), 'now'));

    expect(await backfillCreatedAt(db, { page: 3 })).toEqual({ read: 10, updated: 8 });
    expect((await orders.doc('old-2').get()).get('createdAt')).toEqual(
      Timestamp.fromMillis(Date.parse('2026-11-22T10:00:00+01:00')),
    );
    expect((await orders.doc('wrong').get()).get('createdAt')).toEqual(
      Timestamp.fromMillis(Date.parse('2026-11-22T10:00:00Z')),
    );
    expect((await orders.doc('no-order').get()).get('createdAt')).toBeUndefined();
    expect(await backfillCreatedAt(db, { page: 3 })).toEqual({ read: 10, updated: 0 });
  });
});
