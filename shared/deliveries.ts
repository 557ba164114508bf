/**
 * Exactly-once email delivery on top of at-least-once Cloud Tasks: `deliveries/{hash of key}` is claimed with a
 * lease in a transaction before sending, and marked sent with SendGrid's message id right after SendGrid accepts.
 * And `deadLetters/{queue}--{task}`: tasks given up, with everything needed to inspect and redrive them.
 */
import { createHash } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { firestoreCall, type StoreOptions } from './store.ts';

export interface DeliveryDoc {
  key: string;
  kind: string;
  status: 'sending' | 'sent' | 'failed';
  /** While `sending`: until when the claim holds. */
  leaseUntil?: string;
  attempts: number;
  task: string;
  messageId?: string;
  sentAt?: string;
  firstError?: ErrorNote;
  lastError?: ErrorNote;
  createdAt: string;
  updatedAt: string;
}

export interface ErrorNote {
  code: string;
  message: string;
  at: string;
}

export type Claim =
  | { state: 'claimed'; attempts: number }
  | { state: 'sent'; messageId: string }
  | { state: 'busy'; retryAfterSeconds: number };

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
  /** Set when the dead letter was enqueued again. */
  redrivenAt?: string;
  redriveTask?: string;
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
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return true;
  if (depth >= 20 || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.every((x) => !Array.isArray(x) && firestoreValue(x, depth + 1));
  return Object.entries(v).every(([k, x]) => k !== '' && !/^__.*__$/.test(k) && Buffer.byteLength(k) <= 1500 && firestoreValue(x, depth + 1));
}

const docId = (key: string) => createHash('sha256').update(key).digest('hex');

/** Delivery records and dead letters, built once at cold start. */
export function createDeliveries(db: Firestore, o: StoreOptions = {}) {
  const now = o.now ?? (() => new Date());
  const call = <T>(what: string, fn: () => Promise<T>): Promise<T> => firestoreCall(what, fn, o.timeoutMs);
  const deliveries = db.collection('deliveries');
  const deadLetters = db.collection('deadLetters');
  const update = (key: string, fields: Partial<DeliveryDoc>, what: string) =>
    call(what, () => deliveries.doc(docId(key)).set({ ...fields, updatedAt: now().toISOString() }, { merge: true }));

  return {
    /** Claims the delivery of `key` for `leaseSeconds`, unless it was sent or another attempt holds it. */
    claim: (key: string, o: { kind: string; task: string; leaseSeconds: number }): Promise<Claim> =>
      call('claim delivery', () =>
        db.runTransaction(async (tx) => {
          const ref = deliveries.doc(docId(key));
          const snap = await tx.get(ref);
          const doc = snap.exists ? (snap.data() as DeliveryDoc) : undefined;
          const t = now();
          if (doc?.status === 'sent') return { state: 'sent', messageId: doc.messageId ?? '' } as const;
          const held = doc?.status === 'sending' && doc.leaseUntil ? Date.parse(doc.leaseUntil) - t.getTime() : 0;
          if (held > 0) return { state: 'busy', retryAfterSeconds: Math.ceil(held / 1000) } as const;
          const attempts = (doc?.attempts ?? 0) + 1;
          const iso = t.toISOString();
          tx.set(ref, {
            ...(doc ?? { key, createdAt: iso }),
            kind: o.kind,
            status: 'sending',
            leaseUntil: new Date(t.getTime() + o.leaseSeconds * 1000).toISOString(),
            attempts,
            task: o.task,
            updatedAt: iso,
          } satisfies DeliveryDoc);
          return { state: 'claimed', attempts } as const;
        }),
      ),
    /** Records SendGrid's acceptance. */
    markSent: (key: string, messageId: string) =>
      update(key, { status: 'sent', messageId, sentAt: now().toISOString(), leaseUntil: '' }, 'mark delivery sent'),
    /** Releases the claim after a failed send, keeping the first and last error. */
    markFailed: async (key: string, error: { code: string; message: string }) => {
      const note = { ...error, at: now().toISOString() };
      await call('mark delivery failed', () =>
        db.runTransaction(async (tx) => {
          const ref = deliveries.doc(docId(key));
          const snap = await tx.get(ref);
          const doc = snap.data() as DeliveryDoc | undefined;
          if (doc?.status === 'sent') return;
          tx.set(ref, { status: 'failed', leaseUntil: '', firstError: doc?.firstError ?? note, lastError: note, updatedAt: note.at }, { merge: true });
        }),
      );
    },
    get: (key: string) =>
      call('read delivery', async () => (await deliveries.doc(docId(key)).get()).data() as DeliveryDoc | undefined),

    /** Writes (or updates, on a repeated give-up) the dead letter of a task. */
    deadLetter: (d: { queue: string; task: string; kind?: string; payload: unknown; attempts: number; error: { code: string; message: string }; firstError?: ErrorNote }) =>
      call('write dead letter', () =>
        db.runTransaction(async (tx) => {
          const id = `${d.queue || 'direct'}--${d.task || docId(JSON.stringify(d.payload)).slice(0, 32)}`;
          const ref = deadLetters.doc(id);
          const prev = (await tx.get(ref)).data() as DeadLetterDoc | undefined;
          const note = { ...d.error, at: now().toISOString() };
          const doc: DeadLetterDoc = {
            id,
            queue: d.queue,
            task: d.task,
            ...(d.kind ? { kind: d.kind } : {}),
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
    listDeadLetters: (o: { queue?: string; limit?: number } = {}) =>
      call('list dead letters', async () => {
        const q = o.queue ? deadLetters.where('queue', '==', o.queue) : deadLetters;
        const snap = await q.limit(o.limit ?? 100).get();
        return snap.docs.map((d) => d.data() as DeadLetterDoc).sort((a, b) => a.lastFailedAt.localeCompare(b.lastFailedAt));
      }),
    getDeadLetter: (id: string) =>
      call('read dead letter', async () => (await deadLetters.doc(id).get()).data() as DeadLetterDoc | undefined),
    markRedriven: (id: string, task: string) =>
      call('mark dead letter redriven', () => deadLetters.doc(id).set({ redrivenAt: now().toISOString(), redriveTask: task }, { merge: true })),
  };
}
export type Deliveries = ReturnType<typeof createDeliveries>;
