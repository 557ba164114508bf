/** A Firestore client on the shared emulator, in a project of its own so test files do not see each other's data. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createFirestore } from '../../shared/firestore.ts';

export function testFirestore(prefix = 'test') {
  const host = inject('firestoreHost');
  const projectId = `${prefix}-${randomUUID().slice(0, 8)}`;
  return { host, projectId, db: createFirestore({ projectId, databaseId: '(default)', emulatorHost: host }) };
}

/**
 * Runs one transaction without a time limit, so the emulator's first (slow, on a loaded machine) transaction is not
 * the one a test bounds with FIRESTORE_TIMEOUT_MS.
 */
export async function warmUp(db: ReturnType<typeof createFirestore>): Promise<void> {
  await db.runTransaction(async (tx) => void (await tx.get(db.collection('warm-up').doc('x'))));
}
