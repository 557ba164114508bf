/**
 * The Firestore client of every function, and `firestoreCall`: one operation bounded in time, with an outage
 * turned into a `RetryableError`. The document modules (orders.ts, deliveries.ts, dead-letters.ts) build on it.
 */
import { Firestore } from '@google-cloud/firestore';
import { PassThroughClient } from 'google-auth-library';
import { AppError, RetryableError } from './errors.ts';
import { isTransient } from './grpc.ts';

export interface FirestoreOptions {
  projectId: string;
  databaseId: string;
  /** `host:port` of the Firestore emulator. */
  emulatorHost?: string | undefined;
}

/** Creates the Firestore client once, at cold start. `emulatorHost` points it at the emulator. */
export function createFirestore(o: FirestoreOptions): Firestore {
  return new Firestore({
    projectId: o.projectId,
    databaseId: o.databaseId,
    // The emulator needs no credentials; a pass-through auth client keeps the library from looking for them.
    ...(o.emulatorHost ? { host: o.emulatorHost, ssl: false, authClient: new PassThroughClient() } : {}),
    ignoreUndefinedProperties: true,
  });
}

/** How long one Firestore operation may take before callers answer 503 (the client itself retries for minutes). */
export const DEFAULT_FIRESTORE_TIMEOUT_MS = 10_000;

/**
 * Runs a Firestore operation, turning an outage (a transient gRPC code, or no answer within `timeoutMs`) into a
 * `RetryableError`, so callers answer 503 instead of hanging. An operation that times out may still complete;
 * every write here is idempotent, so the caller's retry converges.
 */
export async function firestoreCall<T>(what: string, fn: () => Promise<T>, timeoutMs = DEFAULT_FIRESTORE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RetryableError('dependency-unavailable', `Firestore did not answer within ${timeoutMs} ms (${what})`)), timeoutMs);
  });
  try {
    return await Promise.race([fn(), timeout]);
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
