/**
 * The Firestore client of every function, and `firestoreCall`: one operation bounded in time, with an outage
 * turned into a `RetryableError`. The document modules (orders.ts, deliveries.ts, dead-letters.ts…) build on it.
 * The client is our REST one (shared/firestore-rest.ts), with the library's API for what we use.
 */
import { AppError, RetryableError } from './errors.ts';
import { Firestore } from './firestore-rest.ts';
import { isTransient } from './grpc.ts';

export { FieldPath } from './firestore-query.ts';
export { DocumentReference, DocumentSnapshot, Firestore, Transaction } from './firestore-rest.ts';
export { Timestamp } from './firestore-values.ts';

export interface FirestoreOptions {
  projectId: string;
  databaseId: string;
  /** `host:port` of the Firestore emulator. */
  emulatorHost?: string | undefined;
}

/**
 * The Firestore client. Making it loads nothing and connects nowhere: the first operation is the first request
 * (`fetch`), with credentials from google-auth-library loaded then (none against the emulator).
 */
export function createFirestore(o: FirestoreOptions): Firestore {
  return new Firestore(o);
}

/** How long one Firestore operation may take before callers answer 503 (the client itself retries for minutes). */
export const DEFAULT_FIRESTORE_TIMEOUT_MS = 10_000;

/**
 * Runs a Firestore operation, turning an outage (a transient gRPC code, or no answer within `timeoutMs`) into a
 * `RetryableError`, so callers answer 503 instead of hanging. An operation that times out may still complete;
 * every write here is idempotent, so the caller's retry converges.
 */
export async function firestoreCall<T>(what: string, fn: () => Promise<T>, timeoutMs = DEFAULT_FIRESTORE_TIMEOUT_MS): Promise<T> {
  // Started before the clock: a first call's library load (shared/lazy.ts) is not Firestore being slow.
  let pending: Promise<T>;
  try {
    pending = fn();
  } catch (err) {
    pending = Promise.reject(err);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RetryableError('dependency-unavailable', `Firestore did not answer within ${timeoutMs} ms (${what})`)), timeoutMs);
  });
  try {
    return await Promise.race([pending, timeout]);
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (isTransient(err)) {
      throw new RetryableError('dependency-unavailable', `Firestore is unavailable (${what}): ${(err as Error).message}`, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Options of the document modules. */
export interface DocumentOptions {
  /** The clock. @default () => new Date() */
  now?: () => Date;
  /** Per-operation time limit. @default 10000 */
  timeoutMs?: number;
}

/** The clock and the bounded call of a document module. */
export function documentTools(o: DocumentOptions): { now: () => Date; call: <T>(what: string, fn: () => Promise<T>) => Promise<T> } {
  return { now: o.now ?? (() => new Date()), call: (what, fn) => firestoreCall(what, fn, o.timeoutMs) };
}
