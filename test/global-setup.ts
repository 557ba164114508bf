/**
 * Starts what many test files share, once per run: the real Firestore emulator. Each test file uses its own
 * project id, which the emulator keeps apart.
 */
import type { TestProject } from 'vitest/node';
import { startFirestoreEmulator } from './support/firestore-emulator.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    firestoreHost: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulator = await startFirestoreEmulator();
  project.provide('firestoreHost', emulator.host);
  return () => emulator.stop();
}
