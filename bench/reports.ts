/**
 * Daily-report aggregation against the Firestore emulator: shards (one store hour) of 10,000 and 100,000 orders,
 * each aggregated in its own process by aggregate-orders' handler in one task (no time budget): orders per second
 * and the process's peak RSS, which must stay flat (only running totals are held).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateDay } from '../ops/seed/generate.ts';
import { createFirestore } from '../shared/firestore.ts';
import { applyEvent, type OrderDoc } from '../shared/orders.ts';
import { startFirestoreEmulator } from '../test/support/firestore-emulator.ts';

const DAY = '2026-11-22';

/** `n` orders, all created in the first hour of DAY (UTC), written in batches through the store's fold. */
async function seedShard(host: string, project: string, n: number): Promise<number> {
  const db = createFirestore({ projectId: project, databaseId: '(default)', emulatorHost: host });
  const started = performance.now();
  const gen = generateDay({
    day: DAY,
    timeZone: 'UTC',
    orders: n,
    currencies: ['EUR', 'USD', 'JPY'],
    cancelled: 0.05,
    seed: 11,
  });
  let docs: OrderDoc[] = [];
  const flush = async (all: OrderDoc[]) => {
    for (let i = 0; i < all.length; i += 1600) {
      await Promise.all(
        Array.from({ length: 16 }, (_, j) => all.slice(i + j * 100, i + (j + 1) * 100))
          .filter((b) => b.length)
          .map((b) => {
            const batch = db.batch();
            for (const d of b) batch.set(db.collection('orders').doc(d.orderId), d);
            return batch.commit();
          }),
      );
    }
  };
  const byId = new Map<string, OrderDoc>();
  for (const e of gen) {
    // Squeeze the day into its first hour: the shard under test.
    if (e.type === 'order.created') {
      const at = Date.parse(e.data.order.createdAt);
      const squeezed = Date.parse(`${DAY}T00:00:00Z`) + Math.floor((at - Date.parse(`${DAY}T00:00:00Z`)) / 24);
      e.data.order = { ...e.data.order, createdAt: new Date(squeezed).toISOString() };
    }
    const id = e.type === 'order.created' ? e.data.order.id : e.data.orderId;
    byId.set(id, applyEvent(byId.get(id), e, 'bench'));
  }
  docs = [...byId.values()];
  await flush(docs);
  await db.terminate();
  return Math.round((docs.length / (performance.now() - started)) * 1000);
}

/** `firestoreHost`: an emulator already running (the bench stack's); without it, one is started and stopped here. */
export async function reportsBench(
  sizes = [10_000, 100_000],
  page = 1000,
  firestoreHost?: string,
): Promise<Record<string, unknown>[]> {
  const firestore = firestoreHost ? { host: firestoreHost, stop: async () => {} } : await startFirestoreEmulator();
  const rows: Record<string, unknown>[] = [];
  try {
    for (const n of sizes) {
      const project = `bench-reports-${n}`;
      const writesPerSecond = await seedShard(firestore.host, project, n);
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(import.meta.dirname, 'aggregate-shard.ts'), firestore.host, project, DAY, String(page)],
        { maxBuffer: 1 << 20 },
      );
      const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { orders: number; ms: number; peakRssMiB: number };
      rows.push({
        'shard orders': r.orders,
        'seed writes/s': writesPerSecond,
        'aggregate ms': r.ms,
        'orders/s': Math.round((r.orders / r.ms) * 1000),
        'peak RSS MiB': r.peakRssMiB,
      });
    }
  } finally {
    await firestore.stop();
  }
  return rows;
}
