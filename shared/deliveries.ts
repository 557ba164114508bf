/**
 * Exactly-once email delivery on top of at-least-once Cloud Tasks: `deliveries/{hash of key}` is claimed with a
 * lease in a transaction before sending, and marked sent with SendGrid's message id right after SendGrid accepts.
 */
import { createHash } from 'node:crypto';
import { documentTools, type DocumentOptions, type Firestore } from './firestore.ts';

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

/** What a claim records about the attempt. */
export interface ClaimRequest {
  kind: string;
  task: string;
  leaseSeconds: number;
}

/** The document id of a key: a hash, so any key is a valid id. */
export const docId = (key: string) => createHash('sha256').update(key).digest('hex');

/** Delivery records, built once at cold start. */
export function createDeliveries(db: Firestore, o: DocumentOptions = {}) {
  const { now, call } = documentTools(db, o);
  const deliveries = db.collection('deliveries');
  const update = (key: string, fields: Partial<DeliveryDoc>, what: string) =>
    call(what, () => deliveries.doc(docId(key)).set({ ...fields, updatedAt: now().toISOString() }, { merge: true }));

  return {
    /** Claims the delivery of `key` for `leaseSeconds`, unless it was sent or another attempt holds it. */
    claim: (key: string, request: ClaimRequest): Promise<Claim> =>
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
            kind: request.kind,
            status: 'sending',
            leaseUntil: new Date(t.getTime() + request.leaseSeconds * 1000).toISOString(),
            attempts,
            task: request.task,
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
          tx.set(
            ref,
            {
              status: 'failed',
              leaseUntil: '',
              firstError: doc?.firstError ?? note,
              lastError: note,
              updatedAt: note.at,
            },
            { merge: true },
          );
        }),
      );
    },
    get: (key: string) =>
      call('read delivery', async () => (await deliveries.doc(docId(key)).get()).data() as DeliveryDoc | undefined),
  };
}
export type Deliveries = ReturnType<typeof createDeliveries>;
