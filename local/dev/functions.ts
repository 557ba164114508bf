/**
 * Which functions the stack runs, how each is called (public, task target, Cloud Scheduler target), on which
 * port, and the environment each gets: the same settings it would have in Cloud Run, pointed at the local parts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Access } from './stack.ts';

/**
 * Functions Cloud Scheduler calls (with an OIDC token of the scheduler service account). Task targets are found
 * from queues.json (`target`); every other function is public.
 */
const SCHEDULER_TARGETS = new Set(['schedule-reports']);

export interface QueueEntry {
  name: string;
  target?: string;
}

export interface FunctionSpec {
  name: string;
  access: Access;
  queues: string[];
  port: number;
  url: string;
}

export function readQueues(root: string): QueueEntry[] {
  const file = JSON.parse(readFileSync(join(root, 'queues.json'), 'utf8')) as { queues?: QueueEntry[] };
  return file.queues ?? [];
}

/** Public functions first (so the webhook keeps the first port as functions are added), then by name. */
export function functionSpecs(names: string[], queues: QueueEntry[], host: string, basePort: number): FunctionSpec[] {
  const accessOf = (name: string): Access =>
    queues.some((q) => q.target === name) ? 'task-target' : SCHEDULER_TARGETS.has(name) ? 'scheduler-target' : 'public';
  const sorted = [...names].sort((a, b) => Number(accessOf(a) !== 'public') - Number(accessOf(b) !== 'public') || a.localeCompare(b));
  return sorted.map((name, i) => ({
    name,
    access: accessOf(name),
    queues: queues.filter((q) => q.target === name).map((q) => q.name),
    port: basePort + i,
    url: `http://${host}:${basePort + i}/`,
  }));
}

/** `send-notification` → `SEND_NOTIFICATION`. */
export const envName = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');

export interface StackSettings {
  project: string;
  location: string;
  firestoreHost: string;
  tasksHost: string;
  issuer: string;
  jwksUrl: string;
  mailUrl: string;
  sendgridKey: string;
  webhookSecret: string;
  tasksInvoker: string;
  schedulerInvoker: string;
  logLevel: string;
}

export function acceptedAccounts(spec: FunctionSpec, s: StackSettings): string[] {
  if (spec.access === 'task-target') return [s.tasksInvoker];
  if (spec.access === 'scheduler-target') return [s.schedulerInvoker];
  return [];
}

/**
 * One function's environment. Every function gets the same superset of settings (each ignores what it does not
 * declare), plus its own K_SERVICE and OIDC audience. The URL of every private function is there as
 * `<NAME>_URL`, e.g. `SEND_NOTIFICATION_URL`, which is how callers find their targets.
 */
export function functionEnv(spec: FunctionSpec, all: FunctionSpec[], s: StackSettings): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    // As the Node buildpack and Cloud Run set them.
    NODE_ENV: 'production',
    NODE_OPTIONS: '--enable-source-maps',
    PORT: String(spec.port),
    K_SERVICE: spec.name,
    K_REVISION: `${spec.name}-local`,
    FUNCTION_TARGET: spec.name,
    GOOGLE_CLOUD_PROJECT: s.project,
    LOG_LEVEL: s.logLevel,
    FIRESTORE_EMULATOR_HOST: s.firestoreHost,
    TASKS_LOCATION: s.location,
    TASKS_INVOKER_SERVICE_ACCOUNT: s.tasksInvoker,
    CLOUD_TASKS_EMULATOR_HOST: s.tasksHost,
    STOREFRONT_WEBHOOK_SECRETS: s.webhookSecret,
    OIDC_ISSUERS: s.issuer,
    OIDC_JWKS_URL: s.jwksUrl,
    SENDGRID_API_KEY: s.sendgridKey,
    SENDGRID_BASE_URL: s.mailUrl,
    MAIL_FROM: 'orders@shop.example',
    MAIL_FROM_NAME: 'Storefront (local)',
  };
  // Daily reports: the store time zone (`--time-zone`), a local recipient, and any REPORTS_* setting of the shell.
  env.STORE_TIME_ZONE = process.env.STORE_TIME_ZONE || 'UTC';
  env.REPORTS_EMAIL_TO = 'merchant@shop.example';
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('REPORTS_') && v) env[k] = v;
  for (const other of all) if (other.access !== 'public') env[`${envName(other.name)}_URL`] = other.url;
  if (spec.access !== 'public') {
    env.OIDC_AUDIENCE = spec.url;
    env.OIDC_ALLOWED_EMAILS = acceptedAccounts(spec, s).join(',');
  }
  return env;
}
