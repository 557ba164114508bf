/**
 * The daily-report stack in this test process, on top of the order-notification stack: schedule-reports (called
 * with Scheduler-shaped OIDC tokens from a test issuer) and aggregate-orders (a task target of the emulator's
 * `reports` queue), wired through configuration as in production. Plus a fast writer of orders through the
 * store's fold (`applyEvent`), in batches.
 */
import { http } from '@google-cloud/functions-framework';
import type { Firestore } from '../../shared/firestore.ts';
import { createAggregateTarget } from '../../functions/aggregate-orders/target.ts';
import { createScheduleTarget } from '../../functions/schedule-reports/target.ts';
import { BaseEnv, FirestoreEnv, OidcEnv, TasksEnv, loadConfig } from '../../shared/config.ts';
import { AggregateEnv, ScheduleEnv } from '../../shared/report-config.ts';
import { createReportStore, type ReportStore } from '../../shared/report-shards.ts';
import type { StorefrontEvent } from '../../shared/schemas/events.ts';
import { createFirestore } from '../../shared/firestore.ts';
import { applyEvent, type OrderDoc } from '../../shared/orders.ts';
import { startTestIssuer, type TestIssuer } from './jwks.ts';
import { freePort } from './net.ts';
import { serveFunction } from './serve.ts';
import { startStack, type Stack } from './stack.ts';

export const SCHEDULER = 'scheduler-invoker@storefront-local.iam.gserviceaccount.com';

export interface ReportStack extends Stack {
  db: Firestore;
  reports: ReturnType<typeof createReportStore>;
  issuer: TestIssuer;
  aggregateUrl: string;
  scheduleUrl: string;
  /** POSTs to schedule-reports with a Scheduler token (or `token`), and any other `headers`. */
  schedule(body: unknown, o?: { token?: string | null; headers?: Record<string, string> }): Promise<Response>;
  /** Folds events into orders (the webhook's fold) and writes the orders in batches. Returns the orders written. */
  writeEvents(events: Iterable<StorefrontEvent>): Promise<OrderDoc[]>;
}

/** `now`: schedule-reports' and aggregate-orders' clock (yesterday, the window, generatedAt). */
export async function startReportStack(
  o: {
    env?: Record<string, string>;
    now?: () => Date;
    /** Swaps aggregate-orders' document store (to inject a crash at a chosen point). */
    wrapReports?: (r: ReportStore) => ReportStore;
  } = {},
): Promise<ReportStack> {
  const aggregatePort = await freePort();
  const schedulePort = await freePort();
  const aggregateUrl = `http://127.0.0.1:${aggregatePort}/`;
  const scheduleUrl = `http://127.0.0.1:${schedulePort}/`;
  const stack = await startStack({ env: { AGGREGATE_ORDERS_URL: aggregateUrl, ...o.env } });
  const issuer = await startTestIssuer();
  const env = { ...stack.env, ...o.env };
  const db = createFirestore({
    projectId: stack.projectId,
    databaseId: '(default)',
    emulatorHost: env.FIRESTORE_EMULATOR_HOST,
  });
  const reports = createReportStore(db);
  const name = 'aggregate-orders';
  http(
    name,
    createAggregateTarget(
      loadConfig(
        BaseEnv.extend(OidcEnv.shape).extend(FirestoreEnv.shape).extend(TasksEnv.shape).extend(AggregateEnv.shape),
        { ...env, OIDC_AUDIENCE: aggregateUrl },
      ),
      { ...(o.now ? { now: o.now } : {}), ...(o.wrapReports ? { reports: o.wrapReports(reports) } : {}) },
    ),
  );
  http(
    'schedule-reports',
    createScheduleTarget(
      loadConfig(
        BaseEnv.extend(OidcEnv.shape).extend(FirestoreEnv.shape).extend(TasksEnv.shape).extend(ScheduleEnv.shape),
        {
          ...env,
          OIDC_AUDIENCE: scheduleUrl,
          OIDC_ALLOWED_EMAILS: SCHEDULER,
          OIDC_ISSUERS: issuer.issuer,
          OIDC_JWKS_URL: issuer.jwksUrl,
        },
      ),
      o.now ? { now: o.now } : {},
    ),
  );
  const aggregate = await serveFunction(name, aggregatePort);
  const scheduler = await serveFunction('schedule-reports', schedulePort);
  return {
    ...stack,
    db,
    reports: createReportStore(db, { timeoutMs: 30_000 }),
    issuer,
    aggregateUrl,
    scheduleUrl,
    async schedule(body, p = {}) {
      const token = p.token === undefined ? await issuer.sign({ email: SCHEDULER, aud: scheduleUrl }) : p.token;
      return fetch(scheduleUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...p.headers,
        },
        body: JSON.stringify(body),
      });
    },
    async writeEvents(events) {
      const docs = new Map<string, OrderDoc>();
      for (const e of events) {
        const id = e.type === 'order.created' ? e.data.order.id : e.data.orderId;
        docs.set(id, applyEvent(docs.get(id), e, '2026-12-01T00:00:00.000Z'));
      }
      const all = [...docs.values()];
      // Batches of 100, 16 in flight: the fastest mix on the Firestore emulator (larger batches, fewer in flight: slower).
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let i = next; i < all.length; i = next) {
            next += 100;
            const batch = db.batch();
            for (const d of all.slice(i, i + 100)) batch.set(db.collection('orders').doc(d.orderId), d);
            await batch.commit();
          }
        }),
      );
      return all;
    },
    async close() {
      await Promise.all([aggregate.close(), scheduler.close(), issuer.close()]);
      await db.terminate();
      await stack.close();
    },
  };
}
