/**
 * What the console reads from Firestore: orders with their events, daily reports, dead letters. Through the same
 * client and document accessors the functions use (shared/firestore.ts, shared/orders.ts, shared/dead-letters.ts), read-only except for
 * the redrive, which is ops/dead-letters.ts's own code.
 */
import type { Firestore } from '../../shared/firestore.ts';
import { runDeadLetters } from '../../ops/dead-letters.ts';
import { createDeadLetters } from '../../shared/dead-letters.ts';
import { createFirestore } from '../../shared/firestore.ts';
import { createOrders, type DeliveryNote, type EventDoc, type OrderDoc } from '../../shared/orders.ts';
import { runIdOf, type RunDoc, type ShardDoc } from '../../shared/report-shards.ts';
import { Report } from '../../shared/schemas/report.ts';

export interface FirestoreData {
  order(id: string): Promise<{ order: OrderDoc | undefined; events: EventDoc[] }>;
  /** The deliveries noted of an event, oldest first. */
  deliveries(eventId: string): Promise<DeliveryNote[]>;
  /** A report run (`reportRuns/{day}--{run}`) and its shards. */
  run(day: string, run: string): Promise<{ run: RunDoc | undefined; shards: ShardDoc[] }>;
  /** The latest `limit` reports, newest day first; one failing the report schema comes with its issues. */
  reports(limit?: number): Promise<{ day: string; report: unknown; issues?: string[] }[]>;
  deadLetters: ReturnType<typeof createDeadLetters>;
  /** Redrives one dead letter (or all with `id` undefined) exactly as `npm run dead-letters -- redrive [--id]`. */
  redrive(id: string | undefined): Promise<{ code: number; lines: string[] }>;
  close(): Promise<void>;
}

export function firestoreData(o: {
  project: string;
  firestoreHost: string;
  opsEnv: () => Record<string, string | undefined>;
}): FirestoreData {
  const db: Firestore = createFirestore({
    projectId: o.project,
    databaseId: '(default)',
    emulatorHost: o.firestoreHost,
  });
  return {
    async order(id) {
      const [snap, events] = await Promise.all([
        db.collection('orders').doc(id).get(),
        db.collection('events').where('orderId', '==', id).get(),
      ]);
      return {
        order: snap.exists ? (snap.data() as OrderDoc) : undefined,
        events: events.docs.map((d) => d.data() as EventDoc).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt)),
      };
    },
    deliveries: (eventId) => createOrders(db).deliveriesOf(eventId),
    async run(day, run) {
      const ref = db.collection('reportRuns').doc(runIdOf(day, run));
      const [snap, shards] = await Promise.all([ref.get(), ref.collection('shards').get()]);
      return { run: snap.data() as RunDoc | undefined, shards: shards.docs.map((d) => d.data() as ShardDoc) };
    },
    async reports(limit = 31) {
      const snap = await db.collection('reports').orderBy('day', 'desc').limit(limit).get();
      return snap.docs.map((d) => {
        const parsed = Report.safeParse(d.data());
        return parsed.success
          ? { day: d.id, report: parsed.data }
          : {
              day: d.id,
              report: d.data(),
              issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
            };
      });
    },
    deadLetters: createDeadLetters(db),
    async redrive(id) {
      const lines: string[] = [];
      const env = { GOOGLE_CLOUD_PROJECT: o.project, FIRESTORE_EMULATOR_HOST: o.firestoreHost, ...o.opsEnv() };
      const code = await runDeadLetters(id === undefined ? ['redrive'] : ['redrive', '--id', id], env, (line) =>
        lines.push(line),
      );
      return { code, lines };
    },
    close: () => db.terminate(),
  };
}
