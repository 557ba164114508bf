/**
 * Which settings each function reads: its own schema (functions/<name>/env.ts), the source of docs/settings.md's
 * "functions" and "default" columns and of what deploy.sh and the samples set. A new function is a line in FUNCTIONS
 * (test/ops/settings.test.ts fails until it is).
 */
import type { z } from 'zod';
import type { Access } from '../../local/stack-file.ts';
import { queueConfig } from '../../shared/queues.ts';
import { Env as aggregateOrders } from '../../functions/aggregate-orders/env.ts';
import { Env as scheduleReports } from '../../functions/schedule-reports/env.ts';
import { Env as sendNotification } from '../../functions/send-notification/env.ts';
import { Env as shopifyWebhook } from '../../functions/shopify-webhook/env.ts';
import { Env as storefrontWebhook } from '../../functions/storefront-webhook/env.ts';
import { Env as woocommerceWebhook } from '../../functions/woocommerce-webhook/env.ts';
import type { SettingsTarget, StackSettings } from './catalogue.ts';
import { filledSettings } from './stack-env.ts';

/** Every function's settings schema, by function name. */
export const FUNCTIONS: Record<string, z.ZodObject> = {
  'aggregate-orders': aggregateOrders,
  'schedule-reports': scheduleReports,
  'send-notification': sendNotification,
  'shopify-webhook': shopifyWebhook,
  'storefront-webhook': storefrontWebhook,
  'woocommerce-webhook': woocommerceWebhook,
};

/** Functions Cloud Scheduler calls (with an OIDC token of the scheduler service account). */
const SCHEDULER_TARGETS = new Set(['schedule-reports']);

/** How `name` is called: a task target is the `target` of a queue in queues.json; every other function is public. */
export function accessOf(name: string, queues: { target?: string | undefined }[] = queueConfig().queues): Access {
  return queues.some((q) => q.target === name)
    ? 'task-target'
    : SCHEDULER_TARGETS.has(name)
      ? 'scheduler-target'
      : 'public';
}

/** The settings function `name` reads. */
export const readsOf = (name: string): Set<string> => new Set(Object.keys(FUNCTIONS[name]?.shape ?? {}));

/** The functions that read `setting`. */
export const readersOf = (setting: string): string[] => Object.keys(FUNCTIONS).filter((f) => readsOf(f).has(setting));

/** What a function's schema makes of `setting` when it is unset: `required`, `unset` or the default, as text. */
export function defaultOf(fn: string, setting: string): string {
  const field = FUNCTIONS[fn]?.shape[setting] as z.ZodType | undefined;
  if (!field) throw new Error(`${fn} does not read ${setting}`);
  const r = field.safeParse(undefined);
  if (!r.success) return 'required';
  if (r.data === undefined || (Array.isArray(r.data) && r.data.length === 0)) return 'unset';
  return Array.isArray(r.data) ? r.data.join(',') : String(r.data);
}

/** Every function of a stack whose functions are at `urlOf(name)`. */
export const targets = (urlOf: (name: string) => string): SettingsTarget[] =>
  Object.keys(FUNCTIONS).map((name) => ({ name, access: accessOf(name), url: urlOf(name) }));

/** The settings `s` fills that function `name` reads, in catalogue order. */
export function functionSettings(s: StackSettings, name: string, all: SettingsTarget[]): Record<string, string> {
  const fn = all.find((f) => f.name === name);
  if (!fn) throw new Error(`No function ${name} (functions: ${Object.keys(FUNCTIONS).join(', ')})`);
  return filledSettings(s, fn, all, readsOf(name));
}

/**
 * The stack a function's bundle starts in outside a real stack (bench, the bundle tests, deploy.sh's check of the
 * operator's settings): nothing is contacted at start-up (Firestore and Cloud Tasks clients connect lazily).
 */
export const SAMPLE_STACK: StackSettings = {
  project: 'shop',
  location: 'europe-west1',
  tasksInvoker: 'tasks-invoker@shop.iam.gserviceaccount.com',
  schedulerInvoker: 'scheduler-invoker@shop.iam.gserviceaccount.com',
  firestoreHost: '127.0.0.1:9',
  webhookSecret: 'whsec_0123456789abcdef',
  sendgridKey: 'SG.test',
  mailFrom: 'orders@shop.example',
};

/** Per function, the settings it needs to start, with the sample stack's values. */
export const FUNCTION_SAMPLES: Record<string, Record<string, string>> = Object.fromEntries(
  targets(() => 'http://127.0.0.1:9/').map((fn, _i, all) => [fn.name, functionSettings(SAMPLE_STACK, fn.name, all)]),
);
