// shared/firestore-rest.ts against the Firestore emulator, cross-checked with @google-cloud/firestore itself: what our
// REST client writes, the library reads alike, and the other way round (values, merges, preconditions, queries,
// transactions under contention, recursive deletes).
import { FieldPath as LibraryFieldPath, Firestore as Library, Timestamp as LibraryTimestamp } from '@google-cloud/firestore';
import { PassThroughClient } from 'google-auth-library';
import { afterAll, describe, expect, it } from 'vitest';
import { FieldPath, Timestamp } from '../../shared/firestore.ts';
import { GoogleApiError } from '../../shared/google-rest.ts';
import { testFirestore } from '../support/firestore.ts';

const { db, host, projectId } = testFirestore('rest');
const lib = new Library({ projectId, databaseId: '(default)', host, ssl: false, authClient: new PassThroughClient() });
afterAll(() => lib.terminate());

const sample = {
  s: 'ü € 🙂',
  i: 42,
  big: Number.MAX_SAFE_INTEGER,
  neg: -7,
  d: 1.5,
  zero: 0,
  t: true,
  n: null,
  arr: [1, 'two', { three: 3 }, {}],
  map: { nested: { deeper: 'x' }, 'with.dot': 1, 'with space': 2, '`tick`': 3, empty: {} },
  when: Timestamp.fromMillis(Date.UTC(2026, 10, 25, 3, 0, 0, 250)),
  // A plain object that merely has a resourceName field stays a map.
  named: { resourceName: 'projects/x', n: 1 },
  skipped: undefined,
};
const { skipped: _, ...stored } = sample;

describe('values', () => {
  it('writes what the library reads as the same values, and reads what the library writes', async () => {
    await db.collection('values').doc('ours').set(sample);
    const theirs = (await lib.collection('values').doc('ours').get()).data()!;
    expect(theirs.when).toBeInstanceOf(LibraryTimestamp);
    expect((theirs.when as LibraryTimestamp).toMillis()).toBe(sample.when.toMillis());
    expect({ ...theirs, when: 'ts' }).toEqual({ ...stored, when: 'ts' });

    await lib.collection('values').doc('theirs').set({ ...stored, when: LibraryTimestamp.fromMillis(sample.when.toMillis()) });
    const ours = (await db.collection('values').doc('theirs').get()).data()!;
    expect(ours.when).toBeInstanceOf(Timestamp);
    expect(ours).toEqual({ ...stored });
    expect(ours.when.toDate().toISOString()).toBe('2026-11-25T03:00:00.250Z');
  });

  it('stores a document reference as a reference the library reads as one', async () => {
    await db.collection('values').doc('ref').set({ to: db.collection('orders').doc('o-1') });
    const theirs = (await lib.doc('values/ref').get()).get('to') as { path: string };
    expect(theirs.path).toBe('orders/o-1');
    const ours = (await db.collection('values').doc('ref').get()).get('to') as { path: string };
    expect(ours.path).toBe('orders/o-1');
  });

  it('keeps a Date as a timestamp, and sub-millisecond precision as the library reads it', async () => {
    await lib.collection('values').doc('nanos').set({ t: new LibraryTimestamp(1_700_000_000, 123_456_789) });
    const t = (await db.collection('values').doc('nanos').get()).get('t') as Timestamp;
    const theirs = (await lib.collection('values').doc('nanos').get()).get('t') as LibraryTimestamp;
    // Firestore keeps microseconds: 123456789 ns is stored as 123456000.
    expect([t.seconds, t.nanoseconds]).toEqual([theirs.seconds, theirs.nanoseconds]);
    expect(t.nanoseconds).toBe(123_456_000);
    await db.collection('values').doc('date').set({ d: new Date('2026-01-02T03:04:05.678Z') });
    expect(((await lib.collection('values').doc('date').get()).get('d') as LibraryTimestamp).toDate().toISOString()).toBe('2026-01-02T03:04:05.678Z');
  });

  it('refuses a document id that is not one path segment, before any request', () => {
    for (const id of ['', 'a/b', '.', '..', '__reserved__']) expect(() => db.collection('values').doc(id), id).toThrow(/Not a valid Firestore document id/);
  });

  it('answers an empty read with an empty list, in a transaction too', async () => {
    expect(await db.getAll()).toEqual([]);
    expect(await db.runTransaction(async (tx) => tx.getAll())).toEqual([]);
  });

  it('answers a missing document as not existing', async () => {
    const snap = await db.collection('values').doc('missing').get();
    expect(snap.exists).toBe(false);
    expect(snap.data()).toBeUndefined();
  });
});

describe('writes', () => {
  it('merges only the fields given (nested leaves too), as the library does', async () => {
    const ref = db.collection('writes').doc('merge');
    await ref.set({ a: 1, m: { x: 1, y: 2 }, keep: 'k' });
    await ref.set({ a: 2, m: { y: 3 }, added: [1] }, { merge: true });
    expect((await lib.doc('writes/merge').get()).data()).toEqual({ a: 2, m: { x: 1, y: 3 }, keep: 'k', added: [1] });
  });

  it('create fails with ALREADY_EXISTS on an existing document and update with NOT_FOUND on a missing one', async () => {
    const ref = db.collection('writes').doc('create');
    await ref.create({ v: 1 });
    await expect(ref.create({ v: 2 })).rejects.toMatchObject({ code: 6, status: 'ALREADY_EXISTS' });
    await expect(db.collection('writes').doc('none').update({ v: 1 })).rejects.toMatchObject({ code: 5 });
    expect((await lib.doc('writes/create').get()).data()).toEqual({ v: 1 });
  });

  it('update with lastUpdateTime fails once someone else wrote the document', async () => {
    const ref = db.collection('writes').doc('cas');
    await ref.set({ v: 1, other: 'o' });
    const seen = await ref.get();
    await lib.doc('writes/cas').update({ v: 2 });
    const err = await ref.update({ v: 3 }, { lastUpdateTime: seen.updateTime! }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoogleApiError);
    expect((err as GoogleApiError).code).toBe(9); // FAILED_PRECONDITION
    const fresh = await ref.get();
    await ref.update({ v: 4, 'n.deep': true }, { lastUpdateTime: fresh.updateTime! });
    expect((await lib.doc('writes/cas').get()).data()).toEqual({ v: 4, other: 'o', n: { deep: true } });
  });

  it('commits a batch atomically: one failing write leaves nothing written', async () => {
    await db.collection('writes').doc('taken').create({ v: 1 });
    const batch = db.batch();
    batch.set(db.collection('writes').doc('b1'), { v: 1 });
    batch.create(db.collection('writes').doc('taken'), { v: 2 });
    await expect(batch.commit()).rejects.toMatchObject({ code: 6 });
    expect((await lib.doc('writes/b1').get()).exists).toBe(false);
  });
});

describe('queries', () => {
  it('filters, orders by a field and the document id, selects, and pages with startAfter like the library', async () => {
    const col = db.collection('q');
    const batch = db.batch();
    for (let i = 0; i < 12; i++) batch.set(col.doc(`d${String(i).padStart(2, '0')}`), { at: Timestamp.fromMillis(1000 * (i % 4)), n: i, tag: i % 2 ? 'odd' : 'even', sub: { v: i } });
    await batch.commit();
    const ours = async (after?: [Timestamp, string]) => {
      let q = col.where('at', '>=', Timestamp.fromMillis(1000)).where('tag', '==', 'even').orderBy('at').orderBy(FieldPath.documentId()).select('at', 'sub.v');
      if (after) q = q.startAfter(...after);
      return (await q.limit(2).get()).docs.map((d) => [d.id, d.data()]);
    };
    const theirs = async (after?: [LibraryTimestamp, string]) => {
      let q = lib.collection('q').where('at', '>=', LibraryTimestamp.fromMillis(1000)).where('tag', '==', 'even').orderBy('at').orderBy(LibraryFieldPath.documentId()).select('at', 'sub.v');
      if (after) q = q.startAfter(...after);
      return (await q.limit(2).get()).docs.map((d) => [d.id, { ...d.data(), at: Timestamp.fromMillis((d.get('at') as LibraryTimestamp).toMillis()) }]);
    };
    const first = await ours();
    expect(first).toEqual(await theirs());
    expect(first.map(([id]) => id)).toEqual(['d02', 'd06']);
    expect(first[0]![1]).toEqual({ at: Timestamp.fromMillis(2000), sub: { v: 2 } });
    const second = await ours([Timestamp.fromMillis(2000), 'd06']);
    expect(second.map(([id]) => id)).toEqual(['d10']);
    expect(second).toEqual(await theirs([LibraryTimestamp.fromMillis(2000), 'd06']));
  });

  it('counts, streams every document page by page, and starts after a snapshot', async () => {
    const col = db.collection('q');
    expect((await col.where('tag', '==', 'odd').count().get()).data().count).toBe(6);
    const ids: string[] = [];
    for await (const d of col.select().stream()) ids.push(d.id);
    expect(ids).toHaveLength(12);
    const [firstDoc] = (await col.orderBy('n', 'desc').limit(1).get()).docs;
    const next = await col.orderBy('n', 'desc').startAfter(firstDoc!).limit(2).get();
    expect(next.docs.map((d) => d.get('n'))).toEqual([10, 9]);
  });
});

describe('transactions', () => {
  it('serialises concurrent read-modify-writes on one document (contention is retried), as the library does', async () => {
    const ref = db.collection('tx').doc('counter');
    await ref.set({ n: 0 });
    const bump = () => db.runTransaction(async (tx) => tx.set(ref, { n: ((await tx.get(ref)).get('n') as number) + 1 }));
    await Promise.all(Array.from({ length: 5 }, bump));
    expect((await lib.doc('tx/counter').get()).get('n')).toBe(5);
  });

  it('writes nothing when the function throws, and gives the error back', async () => {
    const ref = db.collection('tx').doc('rolled-back');
    const err = await db.runTransaction(async (tx) => {
      await tx.getAll(ref, db.collection('tx').doc('other'));
      tx.set(ref, { v: 1 });
      throw new Error('changed my mind');
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('changed my mind');
    expect((await lib.doc('tx/rolled-back').get()).exists).toBe(false);
  });
});

describe('recursiveDelete', () => {
  it('deletes a document and its subcollections, leaving its siblings', async () => {
    // An id with characters that need escaping in a URL.
    const part = db.collection('runs').doc('r1').collection('parts').doc('p1 #?%');
    await part.set({ v: 1 });
    await part.collection('skus').doc('0').set({ v: 1 });
    await part.collection('skus').doc('1').collection('deeper').doc('x').set({ v: 1 });
    await db.collection('runs').doc('r1').collection('parts').doc('p2').set({ v: 2 });
    expect((await lib.collection('runs/r1/parts/p1 #?%/skus/1/deeper').get()).size).toBe(1);
    await db.recursiveDelete(part);
    expect((await lib.collection('runs/r1/parts').get()).docs.map((d) => d.id)).toEqual(['p2']);
    expect((await lib.collection('runs/r1/parts/p1 #?%/skus').get()).size).toBe(0);
    expect((await lib.collection('runs/r1/parts/p1 #?%/skus/1/deeper').get()).size).toBe(0);
  });
});
