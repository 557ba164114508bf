/**
 * `deadLetters/{queue}--{task}`: tasks given up (permanently failed, or failed on their last attempt), with everything
 * needed to inspect and redrive them.
 */
import { docId, type ErrorNote } from './deliveries.ts';
import { documentTools, type DocumentOptions, type Firestore } from './firestore.ts';

export interface DeadLetterDoc {
  id: string;
  queue: string;
  task: string;
  kind?: string;
  payload: unknown;
  attempts: number;
  firstError: ErrorNote;
  lastError: ErrorNote;
  firstFailedAt: string;
  lastFailedAt: string;
  /** The payload as JSON text, cut at 256 KiB, when Firestore cannot hold it as a value (then `payload` is null). */
  payloadText?: string;
  /** The trace the task was in: a redrive continues it. */
  traceId?: string;
  traceSampled?: boolean;
  /** Set when the dead letter was enqueued again. */
  redrivenAt?: string;
  redriveTask?: string;
}

/** What a target knows when it gives a task up. */
export interface GivenUpTask {
  queue: string;
  task: string;
  kind?: string;
  payload: unknown;
  attempts: number;
  error: { code: string; message: string };
  /** The first error of the delivery, when it is older than this attempt. */
  firstError?: ErrorNote;
  /** The trace the task was in. */
  trace?: { traceId: string; sampled: boolean };
}

export interface DeadLetterQuery {
  queue?: string;
  limit?: number;
}

/**
 * `{ payload }` when Firestore can store it as is, else `{ payload: null, payloadText }`: an invalid payload (nested
 * arrays, reserved or empty keys, deep nesting, a huge text) must still get its dead letter, or the task would be
 * retried for ever with a 503.
 */
export function storablePayload(payload: unknown): { payload: unknown; payloadText?: string } {
  const text = JSON.stringify(payload) ?? 'null';
  if (text.length <= MAX_PAYLOAD_CHARS && firestoreValue(payload, 0)) return { payload };
  return { payload: null, payloadText: text.slice(0, MAX_PAYLOAD_CHARS) };
}

const MAX_PAYLOAD_CHARS = 256 * 1024;

function firestoreValue(v: unknown, depth: number): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))
    return true;
  if (depth >= 20 || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.every((x) => !Array.isArray(x) && firestoreValue(x, depth + 1));
  return Object.entries(v).every(
    ([k, x]) => k !== '' && !/^__.*__$/.test(k) && Buffer.byteLength(k) <= 1500 && firestoreValue(x, depth + 1),
  );
}

/** Dead letters, built once at cold start. */
export function createDeadLetters(db: Firestore, o: DocumentOptions = {}) {
  const { now, call } = documentTools(db, o);
  const deadLetters = db.collection('deadLetters');
  return {
    /** Writes (or updates, on a repeated give-up) the dead letter of a task. */
    write: (d: GivenUpTask) =>
      call('write dead letter', () =>
        db.runTransaction(async (tx) => {
          const id = `${d.queue || 'direct'}--${d.task || docId(JSON.stringify(d.payload) ?? 'null').slice(0, 32)}`;
          const ref = deadLetters.doc(id);
          const prev = (await tx.get(ref)).data() as DeadLetterDoc | undefined;
          const note = { ...d.error, at: now().toISOString() };
          const doc: DeadLetterDoc = {
            id,
            queue: d.queue,
            task: d.task,
            ...(d.kind ? { kind: d.kind } : {}),
            ...(d.trace ? { traceId: d.trace.traceId, traceSampled: d.trace.sampled } : {}),
            ...storablePayload(d.payload),
            attempts: Math.max(d.attempts, prev?.attempts ?? 0),
            firstError: prev?.firstError ?? d.firstError ?? note,
            lastError: note,
            firstFailedAt: prev?.firstFailedAt ?? d.firstError?.at ?? note.at,
            lastFailedAt: note.at,
          };
          tx.set(ref, doc);
          return doc;
        }),
      ),
    list: (query: DeadLetterQuery = {}) =>
      call('list dead letters', async () => {
        const q = query.queue ? deadLetters.where('queue', '==', query.queue) : deadLetters;
        const snap = await q.limit(query.limit ?? 100).get();
        return snap.docs
          .map((s) => s.data() as DeadLetterDoc)
          .sort((a, b) => a.lastFailedAt.localeCompare(b.lastFailedAt));
      }),
    get: (id: string) =>
      call('read dead letter', async () => (await deadLetters.doc(id).get()).data() as DeadLetterDoc | undefined),
    markRedriven: (id: string, task: string) =>
      call('mark dead letter redriven', () =>
        deadLetters.doc(id).set({ redrivenAt: now().toISOString(), redriveTask: task }, { merge: true }),
      ),
  };
}
export type DeadLetters = ReturnType<typeof createDeadLetters>;
