/**
 * Queries of the REST Firestore client (shared/firestore-rest.ts), spelled as @google-cloud/firestore's: `where`,
 * `orderBy` (with `FieldPath.documentId()`), `select`, `startAfter` (values or a snapshot), `limit`, `get`,
 * `count().get()` and `stream()`. Each is one `runQuery` (or `runAggregationQuery`) call
 * (https://cloud.google.com/firestore/docs/reference/rest/v1/StructuredQuery).
 */
import { READ, urlPath, type GoogleRest } from './google-rest.ts';
import { dottedPath, encode, valueAt, type Value } from './firestore-values.ts';

/** What a query needs of its client (shared/firestore-rest.ts), without importing it (the client imports this). */
export interface QueryHost {
  readonly root: string;
  readonly call: GoogleRest;
  refOf(name: string): { resourceName: string };
  snapshot(ref: never, found: never): unknown;
}

/** A query's document snapshot, as the client makes it. */
interface Snap {
  readonly id: string;
  readonly ref: { resourceName: string };
  get(path: string): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data(): { [field: string]: any } | undefined;
}

/** The document id as a query field: `orderBy(FieldPath.documentId())`. */
export const FieldPath = { documentId: (): string => '__name__' } as const;

export type WhereOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not-in' | 'array-contains' | 'array-contains-any';
const OPERATORS: Record<WhereOp, string> = {
  '==': 'EQUAL', '!=': 'NOT_EQUAL', '<': 'LESS_THAN', '<=': 'LESS_THAN_OR_EQUAL', '>': 'GREATER_THAN', '>=': 'GREATER_THAN_OR_EQUAL',
  in: 'IN', 'not-in': 'NOT_IN', 'array-contains': 'ARRAY_CONTAINS', 'array-contains-any': 'ARRAY_CONTAINS_ANY',
};

interface State {
  filters: Value[];
  orders: { field: string; direction: 'asc' | 'desc' }[];
  select?: string[];
  limit?: number;
  after?: unknown[] | Snap;
}

export interface QuerySnapshot<S> {
  docs: S[];
  size: number;
  empty: boolean;
  forEach(fn: (doc: S) => void): void;
}

/** A query of one collection (`parent` is the resource name of the document it is under, or the database root). */
export class Query<S extends Snap = Snap> {
  protected readonly host: QueryHost;
  /** The resource name of the document the collection is under, or the database root. */
  readonly parent: string;
  readonly collectionId: string;
  private readonly state: State;
  constructor(host: QueryHost, parent: string, collectionId: string, state: State = { filters: [], orders: [] }) {
    this.host = host;
    this.parent = parent;
    this.collectionId = collectionId;
    this.state = state;
  }
  private with(change: Partial<State>): Query<S> {
    return new Query<S>(this.host, this.parent, this.collectionId, { ...this.state, ...change });
  }
  where(field: string, op: WhereOp, value: unknown): Query<S> {
    const path = { fieldPath: dottedPath(field) };
    const unary = value === null || (typeof value === 'number' && Number.isNaN(value));
    const filter: Value =
      unary && (op === '==' || op === '!=')
        ? { unaryFilter: { field: path, op: `${op === '!=' ? 'IS_NOT_' : 'IS_'}${value === null ? 'NULL' : 'NAN'}` } }
        : { fieldFilter: { field: path, op: OPERATORS[op], value: this.valueFor(field, value) } };
    return this.with({ filters: [...this.state.filters, filter] });
  }
  orderBy(field: string, direction: 'asc' | 'desc' = 'asc'): Query<S> {
    return this.with({ orders: [...this.state.orders, { field, direction }] });
  }
  /** Only these fields (dotted paths) in the results; none: only the documents' names. */
  select(...fields: string[]): Query<S> {
    return this.with({ select: fields });
  }
  limit(n: number): Query<S> {
    return this.with({ limit: n });
  }
  /** Starts after these values of the orderBy fields, or after a document of an earlier page. */
  startAfter(...at: unknown[]): Query<S> {
    const [first] = at;
    const snap = at.length === 1 && first !== null && typeof first === 'object' && 'ref' in first && typeof (first as Snap).get === 'function';
    return this.with({ after: snap ? (first as Snap) : at });
  }
  async get(): Promise<QuerySnapshot<S>> {
    const answer = await this.host.call<{ document?: { name: string } }[]>('POST', `${urlPath(this.parent)}:runQuery`, { structuredQuery: this.structured() }, READ);
    const docs = answer.flatMap((a) => (a.document ? [this.host.snapshot(this.host.refOf(a.document.name) as never, a.document as never) as S] : []));
    return { docs, size: docs.length, empty: docs.length === 0, forEach: (fn) => docs.forEach(fn) };
  }
  count(): { get(): Promise<{ data(): { count: number } }> } {
    return {
      get: async () => {
        const answer = await this.host.call<{ result?: { aggregateFields?: { count?: { integerValue?: string } } } }[]>('POST', `${urlPath(this.parent)}:runAggregationQuery`, {
          structuredAggregationQuery: { structuredQuery: this.structured(), aggregations: [{ alias: 'count', count: {} }] },
        }, READ);
        const count = Number(answer.find((a) => a.result)?.result?.aggregateFields?.count?.integerValue ?? 0);
        return { data: () => ({ count }) };
      },
    };
  }
  /** The results page by page (1,000 documents each, by document id) when the query has no order, limit or cursor of its own. */
  async *stream(): AsyncGenerator<S> {
    if (this.state.orders.length || this.state.limit !== undefined || this.state.after) {
      yield* (await this.get()).docs;
      return;
    }
    let page = this.orderBy('__name__').limit(1000);
    for (;;) {
      const { docs } = await page.get();
      yield* docs;
      if (docs.length < 1000) return;
      page = page.startAfter(docs.at(-1)!);
    }
  }
  /** A value compared with `field`: a document id (string) is a reference when the field is the document's name. */
  private valueFor(field: string, v: unknown): Value {
    if (field !== '__name__') return encode(v);
    const ref = (x: unknown) => (typeof x === 'string' ? { referenceValue: `${this.parent}/${this.collectionId}/${x}` } : encode(x));
    return Array.isArray(v) ? { arrayValue: { values: v.map(ref) } } : ref(v);
  }
  private structured(): Value {
    const { filters, select, limit, after } = this.state;
    let orders = this.state.orders;
    let cursor: Value[] | undefined;
    if (after && !Array.isArray(after)) {
      // A snapshot cursor: its values of the orderBy fields, then its name (the library orders by name last, too).
      if (!orders.some((o) => o.field === '__name__')) orders = [...orders, { field: '__name__', direction: orders.at(-1)?.direction ?? 'asc' }];
      cursor = orders.map((o) => (o.field === '__name__' ? { referenceValue: after.ref.resourceName } : encode(valueAt(after.data(), o.field))));
    } else if (after) {
      cursor = after.map((v, i) => this.valueFor(orders[i]?.field ?? '', v));
    }
    return {
      from: [{ collectionId: this.collectionId }],
      ...(filters.length ? { where: filters.length === 1 ? filters[0] : { compositeFilter: { op: 'AND', filters } } } : {}),
      ...(orders.length ? { orderBy: orders.map((o) => ({ field: { fieldPath: dottedPath(o.field) }, direction: o.direction === 'desc' ? 'DESCENDING' : 'ASCENDING' })) } : {}),
      ...(select ? { select: { fields: (select.length ? select : ['__name__']).map((f) => ({ fieldPath: dottedPath(f) })) } } : {}),
      ...(cursor ? { startAt: { values: cursor, before: false } } : {}),
      ...(limit !== undefined ? { limit } : {}),
    };
  }
}
