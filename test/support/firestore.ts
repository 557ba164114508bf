/** A Firestore client on the shared emulator, in a project of its own so test files do not see each other's data. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createFirestore } from '../../shared/firestore.ts';

export function testFirestore(prefix = 'test') {
  const host = inject('firestoreHost');
  const projectId = `${prefix}-${randomUUID().slice(0, 8)}`;
  return { host, projectId, db: createFirestore({ projectId, databaseId: '(default)', emulatorHost: host }) };
}
