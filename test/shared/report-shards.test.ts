// The report-run documents on the real Firestore emulator: a step commits once however often its task runs,
// per-sku parts round-trip in chunks under the 1 MiB document limit, and the run knows when every shard is done.
import { afterAll, describe, expect, it } from 'vitest';
import { createReportStore } from '../../shared/report-shards.ts';
import { addOrder, emptyTotals } from '../../shared/report-totals.ts';
import { storeDay } from '../../shared/store-time.ts';
import { testFirestore } from '../support/firestore.ts';

const { db } = testFirestore('report-shards');
const store = createReportStore(db, { timeoutMs: 30_000 });
afterAll(() => db.terminate());
const now = new Date('2026-11-23T03:00:00Z');

describe('report shard documents', () => {
  it('commits a step once: a duplicate of the same step is refused and counts nothing', async () => {
    await store.ensureRun(storeDay('2026-11-01', 'UTC'), 'a', now);
    const id = '2026-11-01--a';
    const c = { cursor: undefined, done: false, orders: 5, now };
    const results = await Promise.all([
      store.commitStep(id, 3, 0, { ...c, part: 'p1' }),
      store.commitStep(id, 3, 0, { ...c, part: 'p2' }),
    ]);
    expect(results.map((r) => r.committed).sort()).toEqual([false, true]);
    const shard = await store.getShard(id, 3, now);
    expect(shard).toMatchObject({ step: 1, orders: 5, done: false });
    expect(shard.parts).toHaveLength(1);
  });

  it('writes many skus in chunks under the document limit and reads them back exactly', async () => {
    const t = emptyTotals();
    const lines = Array.from({ length: 3000 }, (_, i) => ({
      sku: `SKU-${i}-${'x'.repeat(90)}`,
      name: `${'N'.repeat(250)} ${i}`,
      quantity: 1 + (i % 7),
      unitPrice: 100 + i,
    }));
    for (let i = 0; i < lines.length; i += 500) {
      const part = lines.slice(i, i + 500);
      const subtotal = part.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
      addOrder(t, {
        status: 'created',
        order: { currency: 'EUR', lines: part, subtotal, shipping: 0, tax: 0, total: subtotal },
      });
    }
    await store.ensureRun(storeDay('2026-11-02', 'UTC'), 'a', now);
    await store.writePart('2026-11-02--a', 'big', 0, 0, t);
    const chunks = await db.collection('reportRuns/2026-11-02--a/parts/big/skus').get();
    expect(chunks.size).toBeGreaterThan(3);
    for (const c of chunks.docs) expect(JSON.stringify(c.data()).length).toBeLessThan(1024 * 1024);
    expect(await store.readParts('2026-11-02--a', ['big'])).toEqual(t);
  });

  it('says every shard is done only once each is, however many finish at the same moment', async () => {
    await store.ensureRun(storeDay('2026-11-03', 'UTC'), 'a', now);
    const id = '2026-11-03--a';
    for (let s = 0; s < 23; s++)
      await store.commitStep(id, s, 0, { part: `p${s}`, cursor: undefined, done: true, orders: 0, now });
    await store.commitStep(id, 23, 0, { part: 'p23', cursor: undefined, done: false, orders: 0, now });
    expect(await store.allShardsDone(id, 24)).toBe(false);
    await store.commitStep(id, 23, 1, { part: 'p23b', cursor: undefined, done: true, orders: 0, now });
    expect(await store.allShardsDone(id, 24)).toBe(true);
    await store.markCombined(id, { at: now, emailTask: 'projects/p/locations/l/queues/notifications/tasks/t' });
    expect(await store.getRun(id)).toMatchObject({
      combinedAt: now.toISOString(),
      emailTask: 'projects/p/locations/l/queues/notifications/tasks/t',
    });
  });
});
