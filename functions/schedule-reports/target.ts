/** Wires schedule-reports from its settings: a Cloud Scheduler target (OIDC checked, callers allow-listed). */
import type { z } from 'zod';
import type { BaseEnv, FirestoreEnv, OidcEnv, TasksEnv } from '../../shared/config.ts';
import { publicEndpoint } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { createOidcVerifier } from '../../shared/oidc.ts';
import { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import type { ScheduleEnv } from '../../shared/report-config.ts';
import { createReportStore } from '../../shared/report-shards.ts';
import { createFirestore } from '../../shared/firestore.ts';
import { enqueuerFromConfig, targetOf } from '../../shared/tasks.ts';
import { createScheduleHandler } from './handle.ts';

export type ScheduleConfig = z.output<typeof BaseEnv> &
  z.output<typeof OidcEnv> &
  z.output<typeof FirestoreEnv> &
  z.output<typeof TasksEnv> &
  z.output<typeof ScheduleEnv>;

export function createScheduleTarget(config: ScheduleConfig, o: { now?: () => Date } = {}) {
  const log = createLogger({ level: config.LOG_LEVEL, labels: { function: config.K_SERVICE ?? 'schedule-reports' } });
  const db = createFirestore({
    projectId: config.GOOGLE_CLOUD_PROJECT,
    databaseId: config.FIRESTORE_DATABASE,
    emulatorHost: config.FIRESTORE_EMULATOR_HOST,
  });
  const verify = createOidcVerifier({
    jwksUrl: config.OIDC_JWKS_URL,
    issuers: config.OIDC_ISSUERS,
    audience: config.OIDC_AUDIENCE,
    allowedEmails: config.OIDC_ALLOWED_EMAILS,
  });
  const schedule = createScheduleHandler({
    reports: createReportStore(db, { timeoutMs: config.FIRESTORE_TIMEOUT_MS }),
    enqueue: enqueuerFromConfig(config, QUEUE_SCHEMAS, {
      reports: targetOf(config.AGGREGATE_ORDERS_URL, config.AGGREGATE_ORDERS_AUDIENCE),
    }),
    timeZone: config.STORE_TIME_ZONE,
    window: config.REPORTS_WINDOW,
    maxBackfillDays: config.REPORTS_MAX_BACKFILL_DAYS,
    dispatchDeadlineSeconds: config.REPORTS_DISPATCH_DEADLINE_SECONDS,
    ...o,
  });
  // A Scheduler target answers 4xx to a bad body (unlike a task target, which acknowledges it): the caller must fix it.
  return publicEndpoint({
    log,
    project: config.GOOGLE_CLOUD_PROJECT,
    maxBodyBytes: 64 * 1024,
    authenticate: verify,
    handler: async (req, res, reqLog, caller, trace) => {
      const answer = await schedule(req.body, trace);
      reqLog.info('Reports scheduled', {
        caller: caller?.email,
        enqueued: answer.enqueued,
        found: answer.found,
        days: answer.days.map((x) => x.day),
      });
      res.status(200).json(answer);
    },
  });
}
