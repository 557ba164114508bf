import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StorefrontEvent } from '../../shared/schemas/events.ts';
import { Report } from '../../shared/schemas/report.ts';
import { applyEvent, createOrders, type OrderDoc } from '../../shared/orders.ts';
import { runSeed } from '../../ops/seed.ts';
import { expectedReport } from '../../ops/seed/expected-report.ts';
import { generateDay } from '../../ops/seed/generate.ts';
import { readOrders, writeEvents } from '../../ops/seed/write.ts';
import { testFirestore } from '../support/firestore.ts';

const { db, host, projectId } = testFirestore('seed');
const dir = mkdtempSync(join(tmpdir(), 'seed-'));
afterAll(async () => {
  await db.terminate();
  rmSync(dir, { recursive: true, force: true });
});

const now = () => new Date('2026-10-26T03:00:00Z');
const day = {
  day: '2026-10-25',
  timeZone: 'Europe/Berlin',
  orders: 300,
  currencies: ['EUR', 'JPY', 'KWD'],
  cancelled: 0.1,
  seed: 11,
};
const orderIdOf = (e: StorefrontEvent) => (e.type === 'order.created' ? e.data.order.id : e.data.orderId);

describe('writeEvents', () => {
  it('stores what the webhook path would: the same fold per order, one record per event; a re-run converges', async () => {
    const events = [...generateDay(day)];
    const progress: number[] = [];
    const first = await writeEvents(db, events, {
      batchOrders: 40,
      concurrency: 4,
      now,
      onProgress: (d) => progress.push(d.orders),
    });
    expect(first.events).toBe(events.length);
    expect(progress.at(-1)).toBe(first.orders);

    const folded = new Map<string, OrderDoc>();
    for (const e of events) folded.set(orderIdOf(e), applyEvent(folded.get(orderIdOf(e)), e, now().toISOString()));
    const snap = await db.collection('orders').get();
    expect(snap.size).toBe(folded.size);
    for (const d of snap.docs) expect(d.data()).toEqual(JSON.parse(JSON.stringify(folded.get(d.id))));
    expect((await db.collection('events').count().get()).data().count).toBe(events.length);

    // Again, in another batching and shuffled: nothing changes but updatedAt, no event is recorded twice.
    const before = snap.docs.map((d) => ({ ...d.data(), updatedAt: '' }));
    await writeEvents(db, [...events].reverse(), {
      batchOrders: 25,
      concurrency: 2,
      now: () => new Date('2026-10-27T00:00:00Z'),
    });
    const again = await db.collection('orders').get();
    expect(again.docs.map((d) => ({ ...d.data(), updatedAt: '' }))).toEqual(before);
    expect((await db.collection('events').count().get()).data().count).toBe(events.length);
  });

  it('folds an event the way recordEvent does, so the two paths agree on a mixed history', async () => {
    const store = createOrders(db, { now });
    const events = [...generateDay({ ...day, orders: 40, seed: 12, cancelled: 0.5 })];
    // Half through the webhook's transaction, the other half through the seed's batches.
    for (const e of events.filter((_, i) => i % 2 === 0)) await store.recordEvent(e);
    await writeEvents(
      db,
      events.filter((_, i) => i % 2 === 1),
      { batchOrders: 5, now },
    );
    const ids = [...new Set(events.map(orderIdOf))];
    const folded = new Map<string, OrderDoc>();
    for (const e of events) folded.set(orderIdOf(e), applyEvent(folded.get(orderIdOf(e)), e, now().toISOString()));
    for (const id of ids) expect(await store.getOrder(id)).toEqual(JSON.parse(JSON.stringify(folded.get(id))));
  });

  it('reads back every stored order with the fields the report needs, with progress', async () => {
    const seen: number[] = [];
    const docs = await readOrders(db, { every: 97, onRead: (n) => seen.push(n) });
    expect(seen.slice(0, 2)).toEqual([97, 194]);
    expect(docs.length).toBe((await db.collection('orders').count().get()).data().count);
    const withOrder = docs.find((d) => d.order)!;
    expect(Object.keys(withOrder.order!).sort()).toEqual(
      expect.arrayContaining(['createdAt', 'currency', 'lines', 'subtotal', 'total']),
    );
    expect(withOrder.order).not.toHaveProperty('customer');
  });
});

describe('npm run seed', () => {
  const env = { GOOGLE_CLOUD_PROJECT: `${projectId}-cli`, FIRESTORE_EMULATOR_HOST: host };
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runSeed(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l), now });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('seeds a day, shows progress, and writes the expected report computed from the stored orders', async () => {
    const out = join(dir, 'expected.json');
    const r = await run([
      '--day',
      '2026-03-29',
      '--orders',
      '400',
      '--currencies',
      'EUR,USD',
      '--time-zone',
      'Europe/Berlin',
      '--seed',
      '3',
      '--out',
      out,
      '--batch',
      '40',
    ]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/seed: 50% 200 orders, [\d,]+ orders\/s/);
    expect(r.err).toMatch(/seed: 100% 400 orders/);
    expect(r.out).toMatch(
      /^Seeded 2026-03-29 \(Europe\/Berlin, seed 3\) into project seed-\w+-cli on the Firestore emulator at /,
    );
    expect(r.out).toContain('400 orders that day; EUR ');
    const report = Report.parse(JSON.parse(readFileSync(out, 'utf8')));
    const events = [
      ...generateDay({
        day: '2026-03-29',
        timeZone: 'Europe/Berlin',
        orders: 400,
        currencies: ['EUR', 'USD'],
        cancelled: 0.05,
        seed: 3,
      }),
    ];
    const folded = new Map<string, OrderDoc>();
    for (const e of events) folded.set(orderIdOf(e), applyEvent(folded.get(orderIdOf(e)), e, 'now'));
    expect(report).toEqual(
      expectedReport(folded.values(), {
        day: '2026-03-29',
        timeZone: 'Europe/Berlin',
        generatedAt: now().toISOString(),
      }),
    );
    expect(report.hours).toBe(23);
  });

  it.each([
    [['--orders', '10'], /--day is required/],
    [['--day', '2026-02-30', '--orders', '10'], /--day must be a calendar day/],
    [['--day', '2026-02-03', '--orders', '0'], /--orders must be a whole number from 1/],
    [['--day', '2026-02-03', '--orders', '5', '--currencies', 'EUR,XYZ'], /--currencies must be ISO 4217 codes.*XYZ/],
    [['--day', '2026-02-03', '--orders', '5', '--cancelled', '1.5'], /--cancelled must be a fraction/],
    [['--day', '2026-02-03', '--orders', '5', '--time-zone', 'Mars/Olympus'], /--time-zone must be an IANA time zone/],
  ])('refuses %j with exit code 2 and a message naming the flag', async (argv, message) => {
    const out = join(dir, 'never.json');
    const r = await run([...argv, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('usage: npm run seed');
    expect(existsSync(out)).toBe(false);
  });
});
