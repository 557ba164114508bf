/**
 * The one table of the functions' settings (environment variables): for each name, how a local stack fills it from
 * its parts, and for each function the names it needs with a sample value that lets its bundle start outside a
 * stack. Read by the dev runner, test/support (the in-process stack, FUNCTION_ENV), bench and ops/dead-letters.
 * A new setting is a row here; a new function is an entry in FUNCTION_SAMPLES (and, if it is a task or scheduler
 * target, nothing else: its `<NAME>_URL` and OIDC settings follow from how it is called).
 */
import type { Access } from './stack.ts';

/** The values of one local stack that settings are made from. */
export interface StackSettings {
  project: string;
  location: string;
  /** host:port of the Firestore emulator. */
  firestoreHost: string;
  /** host:port of the Cloud Tasks emulator. */
  tasksHost: string;
  issuer: string;
  jwksUrl: string;
  mailUrl: string;
  sendgridKey: string;
  /** Comma-separated webhook signing secrets. */
  webhookSecret: string;
  tasksInvoker: string;
  schedulerInvoker: string;
  logLevel: string;
  mailFrom: string;
  /** Unset: MAIL_FROM_NAME is not set. */
  mailFromName?: string;
  /** Unset: the functions' default (10 s). */
  firestoreTimeoutMs?: number;
}

/**
 * A local stack's Firestore is a Java emulator whose first answers (JIT, a new gRPC channel) took over 10 s on a
 * busy 2-core machine: the local stacks (dev runner, test/support) allow it a minute.
 */
export const LOCAL_FIRESTORE_TIMEOUT_MS = 60_000;

/** The sender of the local stack's emails. */
export const LOCAL_MAIL = { mailFrom: 'orders@shop.example', mailFromName: 'Storefront (local)' } as const;

/** A function of a stack: its name, how it is called and its URL. */
export interface SettingsTarget {
  name: string;
  access: Access;
  url: string;
}

/** How a stack fills a setting for `fn`; `undefined` leaves it unset. */
type Fill = (s: StackSettings, fn: SettingsTarget) => string | undefined;

/** Service accounts whose OIDC tokens a function accepts (none for a public one). */
export const acceptedAccounts = (access: Access, s: Pick<StackSettings, 'tasksInvoker' | 'schedulerInvoker'>): string[] =>
  access === 'task-target' ? [s.tasksInvoker] : access === 'scheduler-target' ? [s.schedulerInvoker] : [];

/** Every setting a function reads, and how a local stack fills it. */
export const SETTINGS: Record<string, Fill> = {
  GOOGLE_CLOUD_PROJECT: (s) => s.project,
  LOG_LEVEL: (s) => s.logLevel,
  FIRESTORE_EMULATOR_HOST: (s) => s.firestoreHost,
  FIRESTORE_TIMEOUT_MS: (s) => (s.firestoreTimeoutMs !== undefined ? String(s.firestoreTimeoutMs) : undefined),
  TASKS_LOCATION: (s) => s.location,
  TASKS_INVOKER_SERVICE_ACCOUNT: (s) => s.tasksInvoker,
  CLOUD_TASKS_EMULATOR_HOST: (s) => s.tasksHost,
  STOREFRONT_WEBHOOK_SECRETS: (s) => s.webhookSecret,
  SHOPIFY_WEBHOOK_SECRETS: (s) => s.webhookSecret,
  WOOCOMMERCE_WEBHOOK_SECRETS: (s) => s.webhookSecret,
  OIDC_ISSUERS: (s) => s.issuer,
  OIDC_JWKS_URL: (s) => s.jwksUrl,
  // A private function checks that tokens are for its own URL and from the account that calls it.
  OIDC_AUDIENCE: (_s, fn) => (fn.access !== 'public' ? fn.url : undefined),
  OIDC_ALLOWED_EMAILS: (s, fn) => (fn.access !== 'public' ? acceptedAccounts(fn.access, s).join(',') : undefined),
  SENDGRID_API_KEY: (s) => s.sendgridKey,
  SENDGRID_BASE_URL: (s) => s.mailUrl,
  MAIL_FROM: (s) => s.mailFrom,
  MAIL_FROM_NAME: (s) => s.mailFromName,
};

/** `send-notification` → `SEND_NOTIFICATION`. */
export const envName = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
/** The setting that holds a private function's URL (how callers find it), e.g. `SEND_NOTIFICATION_URL`. */
export const urlSetting = (name: string): string => `${envName(name)}_URL`;
/** The setting that holds the OIDC audience of a private function when it is not its URL. */
export const audienceSetting = (name: string): string => `${envName(name)}_AUDIENCE`;

/**
 * The settings of `fn` in a stack of `all`: every row of SETTINGS (each function ignores what it does not declare)
 * and the `<NAME>_URL` of every private function.
 */
export function settingsEnv(s: StackSettings, fn: SettingsTarget, all: SettingsTarget[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, fill] of Object.entries(SETTINGS)) {
    const v = fill(s, fn);
    if (v !== undefined) env[name] = v;
  }
  for (const other of all) if (other.access !== 'public') env[urlSetting(other.name)] = other.url;
  return env;
}

/**
 * Per function, the settings it needs to start, with sample values: nothing is contacted at start-up (Firestore and
 * Cloud Tasks clients connect lazily), so its bundle starts outside a stack (bench, the bundle tests).
 */
export const FUNCTION_SAMPLES: Record<string, Record<string, string>> = {
  'storefront-webhook': {
    GOOGLE_CLOUD_PROJECT: 'shop',
    TASKS_LOCATION: 'europe-west1',
    TASKS_INVOKER_SERVICE_ACCOUNT: 'tasks-invoker@shop.iam.gserviceaccount.com',
    STOREFRONT_WEBHOOK_SECRETS: 'whsec_0123456789abcdef',
    SEND_NOTIFICATION_URL: 'http://127.0.0.1:9/',
    FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  },
  'shopify-webhook': {
    GOOGLE_CLOUD_PROJECT: 'shop',
    TASKS_LOCATION: 'europe-west1',
    TASKS_INVOKER_SERVICE_ACCOUNT: 'tasks-invoker@shop.iam.gserviceaccount.com',
    SHOPIFY_WEBHOOK_SECRETS: 'shpss_0123456789abcdef',
    SEND_NOTIFICATION_URL: 'http://127.0.0.1:9/',
    FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  },
  'woocommerce-webhook': {
    GOOGLE_CLOUD_PROJECT: 'shop',
    TASKS_LOCATION: 'europe-west1',
    TASKS_INVOKER_SERVICE_ACCOUNT: 'tasks-invoker@shop.iam.gserviceaccount.com',
    WOOCOMMERCE_WEBHOOK_SECRETS: 'wcsec_0123456789abcdef',
    SEND_NOTIFICATION_URL: 'http://127.0.0.1:9/',
    FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  },
  'send-notification': {
    GOOGLE_CLOUD_PROJECT: 'shop',
    OIDC_AUDIENCE: 'http://127.0.0.1:9/',
    OIDC_ALLOWED_EMAILS: 'tasks-invoker@shop.iam.gserviceaccount.com',
    SENDGRID_API_KEY: 'SG.test',
    MAIL_FROM: 'orders@shop.example',
    FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  },
};
