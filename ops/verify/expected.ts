/**
 * What deploy.sh makes, as verify expects to find it: the roles each of our service accounts holds and where, the
 * scheduler job, the queues. deploy.sh grants the same (test/ops/deploy-life.test.ts deploys on the gcloud stand-in and
 * verifies the result, so the two cannot drift apart).
 */
import { queueConfig } from '../../shared/queues.ts';
import { functionUrl, secretList, type DeployTarget } from '../settings/deploy.ts';
import { FUNCTIONS, accessOf } from '../settings/functions.ts';

/** Functions that enqueue tasks, and so act as the tasks' invoker account. */
export const ENQUEUERS = [
  'storefront-webhook',
  'shopify-webhook',
  'woocommerce-webhook',
  'schedule-reports',
  'aggregate-orders',
];
/** Functions that use Firestore (roles/datastore.user on the project). */
export const FIRESTORE_USERS = [...ENQUEUERS, 'send-notification'];
/** Which functions create tasks on each queue (roles/cloudtasks.enqueuer on that queue only). */
export const QUEUE_ENQUEUERS: Record<string, string[]> = {
  notifications: ['storefront-webhook', 'shopify-webhook', 'woocommerce-webhook', 'aggregate-orders'],
  reports: ['schedule-reports', 'aggregate-orders'],
};
export const SCHEDULER_JOB = 'nightly-reports';

/** Where a role is held: `project`, `queue notifications`, `function send-notification`, `secret x`, `account y`. */
export type Grant = `${string} on ${string}`;

export const account = (t: DeployTarget, name: string): string => `${name}@${t.project}.iam.gserviceaccount.com`;
export const fnAccount = (t: DeployTarget, fn: string): string => account(t, `fn-${fn}`);

/** Every service account deploy.sh creates, with the grants it holds. */
export function expectedGrants(t: DeployTarget): Map<string, Grant[]> {
  const grants = new Map<string, Grant[]>();
  const give = (sa: string, g: Grant) => grants.set(sa, [...(grants.get(sa) ?? []), g]);
  grants.set(account(t, 'tasks-invoker'), []);
  grants.set(account(t, 'scheduler-invoker'), []);
  const functions = Object.keys(FUNCTIONS);
  for (const f of functions) grants.set(fnAccount(t, f), []);
  for (const f of FIRESTORE_USERS) give(fnAccount(t, f), 'roles/datastore.user on project');
  for (const f of ENQUEUERS) give(fnAccount(t, f), `roles/iam.serviceAccountUser on account tasks-invoker`);
  for (const [queue, fs] of Object.entries(QUEUE_ENQUEUERS))
    for (const f of fs) give(fnAccount(t, f), `roles/cloudtasks.enqueuer on queue ${queue}`);
  for (const f of functions) {
    const access = accessOf(f);
    if (access === 'task-target') give(account(t, 'tasks-invoker'), `roles/run.invoker on function ${f}`);
    if (access === 'scheduler-target') give(account(t, 'scheduler-invoker'), `roles/run.invoker on function ${f}`);
  }
  for (const s of secretList())
    for (const f of s.functions) give(fnAccount(t, f), `roles/secretmanager.secretAccessor on secret ${s.secret}`);
  for (const [sa, g] of grants) grants.set(sa, g.sort());
  return grants;
}

/** The scheduler job as deploy.sh writes it, from the same environment. */
export function expectedJob(t: DeployTarget, env: Record<string, string | undefined>) {
  const url = functionUrl(t, 'schedule-reports');
  return {
    schedule: env.REPORTS_SCHEDULE || '30 0 * * *',
    'time zone': env.REPORTS_TIME_ZONE || env.STORE_TIME_ZONE || 'Etc/UTC',
    'target URL': url,
    'service account': account(t, 'scheduler-invoker'),
    audience: url,
  };
}

/** `10s`, `0.100s` → seconds; absent → 0 (the API leaves a zero duration out). */
export const seconds = (d: string | undefined): number => (d ? Number(d.replace(/s$/, '')) : 0);

/** A queue's limits as one comparable line, from queues.json or from the API's answer (same field names). */
export function queueLine(q: { rateLimits?: Record<string, unknown>; retryConfig?: Record<string, unknown> }): {
  rate: string;
  retry: string;
} {
  const r = q.rateLimits ?? {};
  const c = q.retryConfig ?? {};
  return {
    rate: `${r.maxDispatchesPerSecond}/s, ${r.maxConcurrentDispatches} at once`,
    retry:
      `${c.maxAttempts} attempts, backoff ${seconds(c.minBackoff as string)}–${seconds(c.maxBackoff as string)} s, ` +
      `${c.maxDoublings} doublings, time limit ${seconds(c.maxRetryDuration as string)} s`,
  };
}

export const queues = () => queueConfig().queues;
