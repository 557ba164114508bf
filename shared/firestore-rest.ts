/**
 * A Firestore client over the REST API v1 with `fetch` (shared/google-rest.ts), with the part of
 * @google-cloud/firestore's API this project uses, spelled the same: collection and document references, get /
 * set (merge) / create / update (preconditions) / delete, `getAll`, queries (where, orderBy, select, startAfter,
 * limit, count, stream), batches, transactions (retried on contention like the library's) and `recursiveDelete`.
 * Why not the library: loading and setting it up (gRPC, protobufjs) took ~600 ms of every function's first
 * request (BENCHMARKS.md); this is one JSON request per operation. test/shared/firestore-rest.test.ts checks it
 * against the Firestore emulator and against the library itself (what one writes, the other reads alike).
 * Over 200 lines: the reference, snapshot, transaction and batch classes share the one REST caller and write format.
 */
import { apiBase, googleRest, GoogleApiError, READ, urlPath, type GoogleRest } from './google-rest.ts';
import { Query, type QueryHost } from './firestore-query.ts';
import { REFERENCE, decodeFields, encodeFields, leafPaths, updateFields, valueAt, type Timestamp as TimestampType, Timestamp } from './firestore-values.ts';

/** A document's data, typed loosely as the library's `DocumentData` (callers cast to their document types). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Data = { [field: string]: any };
/** One write of a commit, in the REST API's shape. */
type Write = Record<string, unknown>;
/** A document as the REST API answers it. */
interface RestDocument {
  name: string;
  fields?: Record<string, Record<string, unknown>>;
  createTime?: string;
  updateTime?: string;
}

export interface RestFirestoreOptions {
  projectId: string;
  databaseId: string;
  /** `host:port` of the Firestore emulator. */
  emulatorHost?: string | undefined;
}

/** Transaction attempts before the last contention error is thrown (the library's default). */
const TRANSACTION_ATTEMPTS = 5;
/** gRPC codes after which a transaction is run again: ABORTED (contention) and outages, as the library does. */
const RETRY_TRANSACTION = new Set([1, 2, 4, 8, 10, 13, 14]);

export class Firestore implements QueryHost {
  readonly root: string;
  readonly call: GoogleRest;
  constructor(o: RestFirestoreOptions) {
    this.root = `projects/${o.projectId}/databases/${o.databaseId}/documents`;
    this.call = googleRest({
      baseUrl: apiBase('firestore', 'v1', o.emulatorHost),
      emulator: !!o.emulatorHost,
      scope: 'https://www.googleapis.com/auth/datastore',
      // Each call is bounded by its caller (shared/firestore.ts `firestoreCall`); this only ends a hung connection.
      timeoutMs: 60_000,
    });
  }
  collection(path: string): CollectionReference {
    return new CollectionReference(this, path);
  }
  doc(path: string): DocumentReference {
    return new DocumentReference(this, path);
  }
  /** A snapshot of a REST document (`found`), or of a missing one. */
  snapshot(ref: DocumentReference, found: RestDocument | undefined): DocumentSnapshot {
    return new DocumentSnapshot(ref, found);
  }
  refOf(name: string): DocumentReference {
    return new DocumentReference(this, name.slice(this.root.length + 1));
  }
  async getAll(...refs: DocumentReference[]): Promise<DocumentSnapshot[]> {
    return this.batchGet(refs);
  }
  async batchGet(refs: DocumentReference[], transaction?: string): Promise<DocumentSnapshot[]> {
    return (await this.read(refs, transaction ? { transaction } : {})).snaps;
  }
  /**
   * Reads documents, in a transaction (`{transaction}`), or starting one (`{newTransaction}`: the transaction is
   * begun by its first read, one round trip less, as the library does). Only a read outside a transaction is sent
   * again after a broken connection: a repeated `newTransaction` could leave a transaction holding its locks.
   */
  async read(refs: DocumentReference[], within: { transaction?: string; newTransaction?: object }): Promise<{ snaps: DocumentSnapshot[]; transaction?: string }> {
    if (!refs.length && !within.newTransaction) return { snaps: [] };
    const answer = await this.call<{ found?: RestDocument; missing?: string; transaction?: string }[]>(
      'POST',
      `${this.root}:batchGet`,
      { documents: refs.map((r) => r.resourceName), ...within },
      within.newTransaction ? {} : READ,
    );
    const found = new Map<string, RestDocument>();
    for (const a of answer) if (a.found) found.set(a.found.name, a.found);
    return { snaps: refs.map((r) => this.snapshot(r, found.get(r.resourceName))), transaction: answer.find((a) => a.transaction)?.transaction };
  }
  batch(): WriteBatch {
    return new WriteBatch(this);
  }
  async commit(writes: Write[], transaction?: string): Promise<void> {
    if (writes.length || transaction) await this.call('POST', `${this.root}:commit`, { writes, ...(transaction ? { transaction } : {}) });
  }
  /**
   * Runs `fn` in a read-write transaction and commits its writes; on contention (ABORTED: another transaction took
   * the documents first) or an outage, runs it again, up to 5 times, with a growing, jittered pause.
   */
  async runTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    let retry: string | undefined;
    for (let attempt = 1; ; attempt++) {
      const tx = new Transaction(this, retry);
      try {
        const result = await fn(tx);
        // A transaction that read nothing has no id: its writes are committed on their own, atomically too.
        await this.commit(tx.writes, await tx.id());
        return result;
      } catch (err) {
        const transaction = await tx.id().catch(() => undefined);
        if (transaction) await this.call('POST', `${this.root}:rollback`, { transaction }).catch(() => undefined);
        if (!(err instanceof GoogleApiError) || !RETRY_TRANSACTION.has(err.code) || attempt >= TRANSACTION_ATTEMPTS) throw err;
        retry = transaction;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  }
  /** Deletes a document and everything under it, or a whole collection. */
  async recursiveDelete(ref: DocumentReference | CollectionReference): Promise<void> {
    const docs = ref instanceof DocumentReference ? [ref] : await ref.listDocuments();
    for (const doc of docs) {
      const { collectionIds = [] } = await this.call<{ collectionIds?: string[] }>('POST', `${urlPath(doc.resourceName)}:listCollectionIds`, { pageSize: 1000 }, READ);
      for (const id of collectionIds) await this.recursiveDelete(doc.collection(id));
    }
    for (let i = 0; i < docs.length; i += 500) await this.commit(docs.slice(i, i + 500).map((d) => ({ delete: d.resourceName })));
  }
  /** Nothing to close: fetch keeps no session (kept so callers written for the library work unchanged). */
  async terminate(): Promise<void> {}
}

export class DocumentReference {
  readonly [REFERENCE] = true as const;
  readonly firestore: Firestore;
  /** Relative to the database: `orders/o-1`. */
  readonly path: string;
  readonly resourceName: string;
  constructor(firestore: Firestore, path: string) {
    this.firestore = firestore;
    this.path = path;
    this.resourceName = `${firestore.root}/${path}`;
  }
  get id(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1);
  }
  collection(id: string): CollectionReference {
    return new CollectionReference(this.firestore, `${this.path}/${id}`);
  }
  async get(): Promise<DocumentSnapshot> {
    return (await this.firestore.batchGet([this]))[0]!;
  }
  set(data: Data, options?: { merge?: boolean }): Promise<void> {
    return this.firestore.commit([setWrite(this, data, options)]);
  }
  create(data: Data): Promise<void> {
    return this.firestore.commit([createWrite(this, data)]);
  }
  update(data: Data, precondition?: { lastUpdateTime?: TimestampType }): Promise<void> {
    return this.firestore.commit([updateWrite(this, data, precondition)]);
  }
  delete(): Promise<void> {
    return this.firestore.commit([{ delete: this.resourceName }]);
  }
}

export class CollectionReference extends Query<DocumentSnapshot> {
  readonly firestore: Firestore;
  readonly path: string;
  constructor(firestore: Firestore, path: string) {
    const slash = path.lastIndexOf('/');
    super(firestore, slash < 0 ? firestore.root : `${firestore.root}/${path.slice(0, slash)}`, path.slice(slash + 1));
    this.firestore = firestore;
    this.path = path;
  }
  get id(): string {
    return this.collectionId;
  }
  doc(id: string): DocumentReference {
    // As the library: an id is one path segment (https://firebase.google.com/docs/firestore/quotas#collections_documents_and_fields).
    if (!id || id.includes('/') || id === '.' || id === '..' || /^__.*__$/.test(id)) throw new TypeError(`Not a valid Firestore document id: ${JSON.stringify(id.slice(0, 100))}`);
    return new DocumentReference(this.firestore, `${this.path}/${id}`);
  }
  /** Every document of the collection, including those that only have subcollections. */
  async listDocuments(): Promise<DocumentReference[]> {
    const refs: DocumentReference[] = [];
    let pageToken = '';
    do {
      const page = await this.firestore.call<{ documents?: RestDocument[]; nextPageToken?: string }>(
        'GET',
        `${urlPath(`${this.parent}/${this.collectionId}`)}?pageSize=1000&showMissing=true&mask.fieldPaths=__name__${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`,
        undefined,
        READ,
      );
      for (const d of page.documents ?? []) refs.push(this.firestore.refOf(d.name));
      pageToken = page.nextPageToken ?? '';
    } while (pageToken);
    return refs;
  }
}

export class DocumentSnapshot {
  readonly exists: boolean;
  readonly createTime: Timestamp | undefined;
  readonly updateTime: Timestamp | undefined;
  readonly ref: DocumentReference;
  private readonly doc: RestDocument | undefined;
  constructor(ref: DocumentReference, doc: RestDocument | undefined) {
    this.ref = ref;
    this.exists = !!doc;
    this.doc = doc;
    this.createTime = doc?.createTime ? Timestamp.fromRfc3339(doc.createTime) : undefined;
    this.updateTime = doc?.updateTime ? Timestamp.fromRfc3339(doc.updateTime) : undefined;
  }
  get id(): string {
    return this.ref.id;
  }
  /** The document's fields (a fresh copy each call), or `undefined` when it does not exist. */
  data(): Data | undefined {
    return this.doc && decodeFields(this.doc.fields, (name) => this.ref.firestore.refOf(name));
  }
  /** The value at a dotted field path. */
  get(path: string): unknown {
    return valueAt(this.data(), path);
  }
}

/** Writes to commit together (a transaction's or a batch's). */
class Writes {
  readonly writes: Write[] = [];
  set(ref: DocumentReference, data: Data, options?: { merge?: boolean }): this {
    this.writes.push(setWrite(ref, data, options));
    return this;
  }
  create(ref: DocumentReference, data: Data): this {
    this.writes.push(createWrite(ref, data));
    return this;
  }
  update(ref: DocumentReference, data: Data, precondition?: { lastUpdateTime?: TimestampType }): this {
    this.writes.push(updateWrite(ref, data, precondition));
    return this;
  }
  delete(ref: DocumentReference): this {
    this.writes.push({ delete: ref.resourceName });
    return this;
  }
}

/**
 * One transaction attempt: its reads see one consistent state, its writes are committed together after them. The
 * first read begins it (`newTransaction`); later reads wait for its id.
 */
export class Transaction extends Writes {
  private readonly db: Firestore;
  /** The transaction this attempt retries (its locks are handed over). */
  private readonly retry: string | undefined;
  private started: Promise<string | undefined> | undefined;
  constructor(db: Firestore, retry?: string) {
    super();
    this.db = db;
    this.retry = retry;
  }
  /** The transaction's id, once a read has begun it. */
  id(): Promise<string | undefined> {
    return this.started ?? Promise.resolve(undefined);
  }
  async get(ref: DocumentReference): Promise<DocumentSnapshot> {
    return (await this.getAll(ref))[0]!;
  }
  async getAll(...refs: DocumentReference[]): Promise<DocumentSnapshot[]> {
    if (!refs.length) return [];
    if (this.started) return (await this.db.read(refs, { transaction: await this.started })).snaps;
    const first = this.db.read(refs, { newTransaction: { readWrite: this.retry ? { retryTransaction: this.retry } : {} } });
    this.started = first.then((r) => {
      if (!r.transaction) throw new GoogleApiError(0, 'INTERNAL', 'Firestore began no transaction on the first read');
      return r.transaction;
    });
    // A failed first read fails `fn` itself; its copy here must not count as an unhandled rejection.
    this.started.catch(() => undefined);
    return (await first).snaps;
  }
}

/** Writes committed together, atomically, without reads (at most 500). */
export class WriteBatch extends Writes {
  private readonly db: Firestore;
  constructor(db: Firestore) {
    super();
    this.db = db;
  }
  commit(): Promise<void> {
    return this.db.commit(this.writes);
  }
}

function setWrite(ref: DocumentReference, data: Data, options?: { merge?: boolean }): Write {
  const write: Write = { update: { name: ref.resourceName, fields: encodeFields(data) } };
  if (options?.merge) write.updateMask = { fieldPaths: leafPaths(data) };
  return write;
}

const createWrite = (ref: DocumentReference, data: Data): Write => ({ update: { name: ref.resourceName, fields: encodeFields(data) }, currentDocument: { exists: false } });

function updateWrite(ref: DocumentReference, data: Data, precondition?: { lastUpdateTime?: TimestampType }): Write {
  const { fields, mask } = updateFields(data);
  return {
    update: { name: ref.resourceName, fields },
    updateMask: { fieldPaths: mask },
    currentDocument: precondition?.lastUpdateTime ? { updateTime: precondition.lastUpdateTime.toRfc3339() } : { exists: true },
  };
}
