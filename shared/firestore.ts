/**
 * The Firestore client of every function (@google-cloud/firestore, made on first use), and `firestoreCall`: one
 * operation bounded in time, with an outage turned into a `RetryableError`. The document modules (orders.ts,
 * deliveries.ts, dead-letters.ts…) build on it.
 */
import type { Firestore } from '@google-cloud/firestore';
import { googleAuth, passThroughAuth, sharedAuth } from './credentials.ts';
import { AppError, RetryableError } from './errors.ts';
import { isTransient } from './grpc.ts';
import { lazyObject, loadPackage, once, withEnv } from './lazy.ts';

export type {
  DocumentReference,
  DocumentSnapshot,
  Firestore,
  QueryDocumentSnapshot,
  Timestamp,
  Transaction,
} from '@google-cloud/firestore';

export interface FirestoreOptions {
  projectId: string;
  databaseId: string;
  /** `host:port` of the Firestore emulator. */
  emulatorHost?: string | undefined;
}

/** The @google-cloud/firestore module, loaded on first use (shared/lazy.ts): for its values (Timestamp, FieldPath…). */
export const firestoreLibrary = once(() =>
  loadPackage<typeof import('@google-cloud/firestore')>('@google-cloud/firestore'),
);

/** Clients of the real Firestore: their operations first obtain the instance's credentials (shared/credentials.ts). */
const needsCredentials = new WeakSet<Firestore>();

/**
 * The Firestore client, made on first use (shared/lazy.ts): the library loads when the first request needs it, not
 * at cold start. It speaks gRPC, the library's default transport (BENCHMARKS.md has both transports measured).
 * `emulatorHost` points it at the emulator, without credentials.
 */
export function createFirestore(o: FirestoreOptions): Firestore {
  const db = lazyObject(
    () =>
      // The library lets FIRESTORE_EMULATOR_HOST override its settings when the client is made: it says the same.
      withEnv(
        'FIRESTORE_EMULATOR_HOST',
        o.emulatorHost,
        () =>
          new (firestoreLibrary().Firestore)({
            projectId: o.projectId,
            databaseId: o.databaseId,
            ignoreUndefinedProperties: true,
            ...(o.emulatorHost
              ? { host: o.emulatorHost, ssl: false, authClient: passThroughAuth() }
              : { auth: sharedAuth() }),
          }),
      ),
    // The document modules take their collections when they are built, at cold start.
    ['collection'],
  );
  if (!o.emulatorHost) needsCredentials.add(db);
  return db;
}

/** How long one Firestore operation may take before callers answer 503 (the client itself retries for minutes). */
export const DEFAULT_FIRESTORE_TIMEOUT_MS = 10_000;

/**
 * Runs a Firestore operation, turning an outage (a transient gRPC code, or no answer within `timeoutMs`) into a
 * `RetryableError`, so callers answer 503 instead of hanging. An operation that times out may still complete;
 * every write here is idempotent, so the caller's retry converges.
 */
export async function firestoreCall<T>(
  db: Firestore,
  what: string,
  fn: () => Promise<T>,
  timeoutMs = DEFAULT_FIRESTORE_TIMEOUT_MS,
): Promise<T> {
  // Started before the clock: a first call's library load (shared/lazy.ts) is not Firestore being slow.
  let pending: Promise<T>;
  try {
    pending = needsCredentials.has(db) ? googleAuth().then(fn) : fn();
  } catch (err) {
    pending = Promise.reject(err);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RetryableError('dependency-unavailable', `Firestore did not answer within ${timeoutMs} ms (${what})`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([pending, timeout]);
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (isTransient(err)) {
      throw new RetryableError(
        'dependency-unavailable',
        `Firestore is unavailable (${what}): ${(err as Error).message}`,
        { cause: err },
      );
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

/** The clock and the bounded call of a document module on `db`. */
export function documentTools(
  db: Firestore,
  o: DocumentOptions,
): { now: () => Date; call: <T>(what: string, fn: () => Promise<T>) => Promise<T> } {
  return { now: o.now ?? (() => new Date()), call: (what, fn) => firestoreCall(db, what, fn, o.timeoutMs) };
}
