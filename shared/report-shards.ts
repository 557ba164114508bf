/**
 * (A little over 200 lines: the run documents and the transactions over them belong together.)
 *
 * The documents of daily-report runs, and the transactions that make a run exact:
 * - `reportRuns/{day}--{run}`: the day's bounds, and when the run was combined;
 * - `…/shards/{hh}`: a shard's progress: the step it is at, its cursor, its committed parts, done;
 * - `…/parts/{hh}-{step}-{nonce}` and `…/parts/{id}/skus/{n}`: what one step counted (sums per currency, and the
 *   per-sku figures in chunks well under Firestore's 1 MiB document limit). A step's part is written first and
 *   becomes part of the shard only when the step commits, in a transaction that checks the step; so a retried or
 *   duplicated task never counts an order twice, and a task killed midway is redone from the last committed cursor.
 */
import { documentTools, firestoreLibrary, type Firestore, type Timestamp } from './firestore.ts';
import {
  addSku,
  emptySums,
  emptyTotals,
  ORDER_FIELDS,
  type OrderFigures,
  type Sums,
  type Totals,
} from './report-totals.ts';
import type { StoreDay } from './store-time.ts';

export interface RunDoc {
  day: string;
  run: string;
  timeZone: string;
  from: string;
  to: string;
  hours: number;
  createdAt: string;
  combinedAt?: string;
  /** The daily-report email task, once enqueued. */
  emailTask?: string;
}

export interface Cursor {
  createdAt: Timestamp;
  id: string;
}

export interface ShardDoc {
  shard: number;
  /** The step whose task may commit next. */
  step: number;
  cursor?: Cursor;
  /** Committed parts, in step order. */
  parts: string[];
  /** Orders counted so far. */
  orders: number;
  done: boolean;
  updatedAt: string;
}

interface PartDoc {
  shard: number;
  step: number;
  orderCount: number;
  sums: Record<string, Sums>;
  skuChunks: number;
}

/** One chunk of per-sku figures: `[sku, name, units, revenue]` rows of one currency. */
interface SkuChunk {
  currency: string;
  /** sku, name, units, revenue (Firestore has no arrays in arrays). */
  items: { s: string; n: string; u: number; r: number }[];
}

const CHUNK_BYTES = 256 * 1024;
/** The idempotency key of a shard step's task: the same for every caller that means the same step. */
export const reportTaskKey = (t: { day: string; run: string; shard: number; step: number }): string =>
  `report/${t.day}/${t.run}/${t.shard}/${t.step}`;
/** The idempotency key of a run's combine task: one combine task per run, whichever shard enqueues it. */
export const combineTaskKey = (t: { day: string; run: string }): string => `report/${t.day}/${t.run}/combine`;
export const runIdOf = (day: string, run: string): string => `${day}--${run}`;
const shardId = (shard: number): string => String(shard).padStart(2, '0');

export function createReportStore(db: Firestore, o: { timeoutMs?: number } = {}) {
  const { call } = documentTools(db, o);
  const runRef = (id: string) => db.collection('reportRuns').doc(id);
  const shardRef = (id: string, shard: number) => runRef(id).collection('shards').doc(shardId(shard));
  const partRef = (id: string, part: string) => runRef(id).collection('parts').doc(part);
  const freshShard = (shard: number, at: string): ShardDoc => ({
    shard,
    step: 0,
    parts: [],
    orders: 0,
    done: false,
    updatedAt: at,
  });

  return {
    /** Creates the run document unless it exists; returns it as stored. */
    ensureRun: (d: StoreDay, run: string, now: Date) =>
      call('create report run', async () => {
        const ref = runRef(runIdOf(d.day, run));
        const doc: RunDoc = {
          day: d.day,
          run,
          timeZone: d.timeZone,
          from: new Date(d.from).toISOString(),
          to: new Date(d.to).toISOString(),
          hours: d.hours,
          createdAt: now.toISOString(),
        };
        try {
          await ref.create(doc);
          return doc;
        } catch (err) {
          if ((err as { code?: unknown }).code !== 6) throw err; // ALREADY_EXISTS: the run is there
          return (await ref.get()).data() as RunDoc;
        }
      }),
    getRun: (id: string) => call('read report run', async () => (await runRef(id).get()).data() as RunDoc | undefined),
    getShard: (id: string, shard: number, now: Date) =>
      call(
        'read report shard',
        async () =>
          ((await shardRef(id, shard).get()).data() as ShardDoc | undefined) ?? freshShard(shard, now.toISOString()),
      ),
    listShards: (id: string) =>
      call('list report shards', async () =>
        (await runRef(id).collection('shards').get()).docs.map((d) => d.data() as ShardDoc),
      ),

    /** One page of a shard's orders: createdAt in [start, end), after `cursor`, ordered by createdAt then id. */
    pageOrders: (start: number, end: number, cursor: Cursor | undefined, limit: number) =>
      call('read orders', async () => {
        const { FieldPath, Timestamp } = firestoreLibrary();
        let q = db
          .collection('orders')
          .where('createdAt', '>=', Timestamp.fromMillis(start))
          .where('createdAt', '<', Timestamp.fromMillis(end))
          .orderBy('createdAt')
          .orderBy(FieldPath.documentId())
          .select('createdAt', ...ORDER_FIELDS);
        if (cursor) q = q.startAfter(cursor.createdAt, cursor.id);
        const snap = await q.limit(limit).get();
        const last = snap.docs.at(-1);
        return {
          orders: snap.docs.map((d) => d.data() as OrderFigures),
          cursor: last ? { createdAt: last.get('createdAt') as Timestamp, id: last.id } : undefined,
          count: snap.size,
        };
      }),

    /** Writes a step's part (sums, and per-sku chunks), not yet counted: `commitStep` makes it count. */
    writePart: (id: string, part: string, shard: number, step: number, t: Totals) =>
      call('write report part', async () => {
        const chunks: SkuChunk[] = [];
        for (const [currency, c] of t.currencies) {
          let chunk: SkuChunk = { currency, items: [] };
          let bytes = 0;
          for (const [sku, s] of c.skus) {
            const size = sku.length * 3 + s.name.length * 3 + 64;
            if (bytes + size > CHUNK_BYTES && chunk.items.length) {
              chunks.push(chunk);
              chunk = { currency, items: [] };
              bytes = 0;
            }
            chunk.items.push({ s: sku, n: s.name, u: s.units, r: s.revenue });
            bytes += size;
          }
          if (chunk.items.length) chunks.push(chunk);
        }
        const ref = partRef(id, part);
        const sums = Object.fromEntries([...t.currencies].map(([code, c]) => [code, c.sums]));
        // Up to 16 chunks (4 MiB) per commit, well under Firestore's 10 MiB request limit.
        for (let i = 0; i < chunks.length; i += 16) {
          const batch = db.batch();
          for (const [j, c] of chunks.slice(i, i + 16).entries())
            batch.set(ref.collection('skus').doc(String(i + j)), c);
          await batch.commit();
        }
        await ref.set({ shard, step, orderCount: t.orderCount, sums, skuChunks: chunks.length } satisfies PartDoc);
      }),

    /** Reads parts back into totals. */
    readParts: (id: string, parts: string[]) =>
      call('read report parts', async () => {
        const t = emptyTotals();
        const refs = parts.map((p) => partRef(id, p));
        const snaps = refs.length ? await db.getAll(...refs) : [];
        for (const [i, snap] of snaps.entries()) {
          const p = snap.data() as PartDoc | undefined;
          if (!p) throw new Error(`Report part ${parts[i]} is missing`);
          t.orderCount += p.orderCount;
          for (const [code, sums] of Object.entries(p.sums)) {
            const c = t.currencies.get(code) ?? { sums: emptySums(), skus: new Map() };
            for (const k of Object.keys(sums) as (keyof Sums)[]) c.sums[k] += sums[k];
            t.currencies.set(code, c);
          }
          if (p.skuChunks) {
            for (const chunk of (await refs[i]!.collection('skus').get()).docs.map((d) => d.data() as SkuChunk)) {
              const c = t.currencies.get(chunk.currency)!;
              for (const i of chunk.items) addSku(c.skus, i.s, { name: i.n, units: i.u, revenue: i.r });
            }
          }
        }
        return t;
      }),

    /** Deletes a part that lost its commit (best effort: an orphan part is never counted anyway). */
    deletePart: (id: string, part: string) => call('delete report part', () => db.recursiveDelete(partRef(id, part))),

    /**
     * Commits step `step` of a shard: its part, the cursor after it, done or not. Optimistic: the shard document is
     * written only if it has not changed since it was read (create, or update with its update time as the
     * precondition), so no locks are held and shards never contend. Nothing is written when the shard is no longer
     * at `step` (a duplicate task got there first): `committed` is false.
     */
    commitStep: (
      id: string,
      shard: number,
      step: number,
      c: { part: string; cursor: Cursor | undefined; done: boolean; orders: number; now: Date },
    ) =>
      call('commit report step', async (): Promise<{ committed: boolean; state: ShardDoc }> => {
        for (;;) {
          const ref = shardRef(id, shard);
          const snap = await ref.get();
          const at = c.now.toISOString();
          const state = (snap.data() as ShardDoc | undefined) ?? freshShard(shard, at);
          if (state.done || state.step !== step) return { committed: false, state };
          const cursor = c.cursor ?? state.cursor;
          const next: ShardDoc = {
            shard,
            step: step + 1,
            parts: [...state.parts, c.part],
            orders: state.orders + c.orders,
            done: c.done,
            updatedAt: at,
            ...(cursor ? { cursor } : {}),
          };
          try {
            if (snap.exists) await ref.update({ ...next }, { lastUpdateTime: snap.updateTime! });
            else await ref.create(next);
            return { committed: true, state: next };
          } catch (err) {
            // ALREADY_EXISTS or FAILED_PRECONDITION: another task wrote first; read again and decide.
            const code = (err as { code?: unknown }).code;
            if (code !== 6 && code !== 9) throw err;
          }
        }
      }),

    /**
     * Whether every shard of the run is done. Checked after a shard's own commit, so the last shard to commit always
     * sees every shard done (shards finishing at the same moment may all see it: they enqueue the same combine task).
     */
    allShardsDone: (id: string, hours: number) =>
      call(
        'count done report shards',
        async () =>
          (await runRef(id).collection('shards').where('done', '==', true).count().get()).data().count >= hours,
      ),

    /** Records the combine as finished. */
    markCombined: (id: string, c: { at: Date; emailTask?: string }) =>
      call('mark report combined', () =>
        runRef(id).update({ combinedAt: c.at.toISOString(), ...(c.emailTask ? { emailTask: c.emailTask } : {}) }),
      ),

    writeReport: (day: string, report: unknown) =>
      call('write report', () =>
        db
          .collection('reports')
          .doc(day)
          .set(report as Record<string, unknown>),
      ),
    getReport: (day: string) => call('read report', async () => (await db.collection('reports').doc(day).get()).data()),
  };
}
export type ReportStore = ReturnType<typeof createReportStore>;
