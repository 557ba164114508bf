/**
 * `npm run backfill-created-at [-- --page 500] [--dry-run]`
 *
 * Sets `createdAt` (a Firestore Timestamp from `order.createdAt`, the field daily reports query) on orders stored
 * before it existed. Pages through `orders` by document id, writes only documents whose field is missing or
 * differs, in batches; safe to stop and run again (idempotent). On the dev stack (`.local/stack.json`) or, with
 * GOOGLE_CLOUD_PROJECT set, the real project.
 */
import { parseArgs } from 'node:util';
import { FieldPath, Timestamp, type Firestore } from '@google-cloud/firestore';
import { createFirestore } from '../shared/firestore.ts';
import { settings } from './dead-letters.ts';

/** Returns how many documents were read and updated. */
export async function backfillCreatedAt(
  db: Firestore,
  o: { page?: number; dryRun?: boolean; progress?: (read: number, updated: number) => void } = {},
): Promise<{ read: number; updated: number }> {
  let read = 0;
  let updated = 0;
  let after: string | undefined;
  for (;;) {
    let q = db
      .collection('orders')
      .orderBy(FieldPath.documentId())
      .select('order.createdAt', 'createdAt')
      .limit(o.page ?? 500);
    if (after) q = q.startAfter(after);
    const snap = await q.get();
    if (snap.empty) break;
    const batch = db.batch();
    let writes = 0;
    for (const doc of snap.docs) {
      const iso = doc.get('order.createdAt') as string | undefined;
      if (!iso) continue; // a cancellation whose order never arrived: no order, no createdAt
      const want = Timestamp.fromMillis(Date.parse(iso));
      const have = doc.get('createdAt') as Timestamp | undefined;
      if (have?.isEqual(want)) continue;
      batch.update(doc.ref, { createdAt: want });
      writes++;
    }
    if (writes && !o.dryRun) await batch.commit();
    read += snap.size;
    updated += writes;
    after = snap.docs.at(-1)!.id;
    o.progress?.(read, updated);
  }
  return { read, updated };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { page: { type: 'string', default: '500' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const env = settings(process.env);
  const db = createFirestore({
    projectId: env.GOOGLE_CLOUD_PROJECT!,
    databaseId: env.FIRESTORE_DATABASE ?? '(default)',
    emulatorHost: env.FIRESTORE_EMULATOR_HOST,
  });
  backfillCreatedAt(db, {
    page: Number(values.page),
    dryRun: values['dry-run'],
    progress: (r, u) => process.stdout.write(`\r${r} orders read, ${u} ${values['dry-run'] ? 'to update' : 'updated'}`),
  })
    .then((r) =>
      console.log(`\ndone: ${r.read} orders read, ${r.updated} ${values['dry-run'] ? 'would be updated' : 'updated'}`),
    )
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    })
    .finally(() => db.terminate());
}
