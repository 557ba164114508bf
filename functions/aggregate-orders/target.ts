/** Wires aggregate-orders from its settings (index.ts; tests build it the same way, with a part swapped). */
import type { z } from 'zod';
import type { AggregateEnv } from '../../shared/report-config.ts';
import type { BaseEnv, FirestoreEnv, OidcEnv, TasksEnv } from '../../shared/config.ts';
import { taskTarget } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { createOidcVerifier } from '../../shared/oidc.ts';
import { maxAttemptsLookup, QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { createReportStore } from '../../shared/report-shards.ts';
import { ReportTask } from '../../shared/schemas/report-task.ts';
import { createFirestore } from '../../shared/firestore.ts';
import { enqueuerFromConfig, targetOf, type Enqueue } from '../../shared/tasks.ts';
import { createCombine } from './combine.ts';
import { createAggregateHandler, type AggregateDeps } from './handle.ts';

export type AggregateConfig = z.output<typeof BaseEnv> &
  z.output<typeof OidcEnv> &
  z.output<typeof FirestoreEnv> &
  z.output<typeof TasksEnv> &
  z.output<typeof AggregateEnv>;

export function createAggregateTarget(
  config: AggregateConfig,
  swap: Partial<Pick<AggregateDeps, 'reports' | 'enqueue' | 'now' | 'elapsed'>> = {},
) {
  const log = createLogger({ level: config.LOG_LEVEL, labels: { function: config.K_SERVICE ?? 'aggregate-orders' } });
  const db = createFirestore({
    projectId: config.GOOGLE_CLOUD_PROJECT,
    databaseId: config.FIRESTORE_DATABASE,
    emulatorHost: config.FIRESTORE_EMULATOR_HOST,
  });
  const reports = swap.reports ?? createReportStore(db, { timeoutMs: config.FIRESTORE_TIMEOUT_MS });
  const enqueue: Enqueue<typeof QUEUE_SCHEMAS> =
    swap.enqueue ??
    enqueuerFromConfig(config, QUEUE_SCHEMAS, {
      reports: targetOf(config.AGGREGATE_ORDERS_URL, config.AGGREGATE_ORDERS_AUDIENCE),
      notifications: targetOf(config.SEND_NOTIFICATION_URL, config.SEND_NOTIFICATION_AUDIENCE),
    });
  const now = swap.now;
  return taskTarget({
    schema: ReportTask,
    verify: createOidcVerifier({
      jwksUrl: config.OIDC_JWKS_URL,
      issuers: config.OIDC_ISSUERS,
      audience: config.OIDC_AUDIENCE,
      allowedEmails: config.OIDC_ALLOWED_EMAILS,
    }),
    log,
    project: config.GOOGLE_CLOUD_PROJECT,
    maxAttempts: maxAttemptsLookup(),
    handler: createAggregateHandler({
      reports,
      enqueue,
      combine: createCombine({
        reports,
        enqueue,
        emailTo: config.REPORTS_EMAIL_TO,
        locale: config.REPORTS_EMAIL_LOCALE,
        ...(now ? { now } : {}),
      }),
      pageSize: config.REPORTS_PAGE_SIZE,
      budgetMs: config.REPORTS_TASK_BUDGET_SECONDS * 1000,
      dispatchDeadlineSeconds: config.REPORTS_DISPATCH_DEADLINE_SECONDS,
      ...(now ? { now } : {}),
      ...(swap.elapsed ? { elapsed: swap.elapsed } : {}),
    }),
  });
}
