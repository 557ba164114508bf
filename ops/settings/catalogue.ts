/**
 * The catalogue of the functions' settings (environment variables): for each, what it means, how a stack fills it
 * and how deploy.sh does. Which functions read a setting, whether it is required and its default come from the
 * functions' own schemas (functions/<name>/env.ts; see functions.ts), and test/ops/settings.test.ts keeps the two
 * in step. One fill serves every stack, which differ only in values: the dev stack and the test stack (their
 * emulators), a deployment (the project's; what production leaves unset stays unset) and the samples a bundle
 * starts with. Dev and ops only: functions/ and shared/ never import it. A new setting is a row here.
 */
import type { Access } from '../../local/stack-file.ts';

/** The values of one stack that settings are made from; what production leaves unset is optional. */
export interface StackSettings {
  project: string;
  location: string;
  tasksInvoker: string;
  schedulerInvoker: string;
  /** host:port of the Firestore emulator. */
  firestoreHost?: string;
  /** host:port of the Cloud Tasks emulator. */
  tasksHost?: string;
  issuer?: string;
  jwksUrl?: string;
  mailUrl?: string;
  sendgridKey?: string;
  /** Comma-separated webhook signing secrets. */
  webhookSecret?: string;
  logLevel?: string;
  mailFrom?: string;
  /** Unset: MAIL_FROM_NAME is not set. */
  mailFromName?: string;
  /** Unset: the functions' default (10 s). */
  firestoreTimeoutMs?: number;
  /** The store's IANA time zone (STORE_TIME_ZONE). Unset: the functions' default (UTC). */
  timeZone?: string;
  /** Who gets the daily report (REPORTS_EMAIL_TO, comma-separated). Unset: not set. */
  reportsEmailTo?: string;
  /** Further REPORTS_* settings (window, backfill limit, page size, budget) handed through as they are (dev: the shell's). */
  reports?: Record<string, string>;
}

/** A local stack (dev runner, test/support): its emulators, mail sink and secrets are all there. */
export type LocalStackSettings = StackSettings &
  Required<
    Pick<
      StackSettings,
      | 'firestoreHost'
      | 'tasksHost'
      | 'issuer'
      | 'jwksUrl'
      | 'mailUrl'
      | 'sendgridKey'
      | 'webhookSecret'
      | 'logLevel'
      | 'mailFrom'
    >
  >;

/** A function of a stack: its name, how it is called and its URL. */
export interface SettingsTarget {
  name: string;
  access: Access;
  url: string;
}

/** How a stack fills a setting for `fn` among `all` its functions; `undefined` leaves it unset. */
export type Fill = (s: StackSettings, fn: SettingsTarget, all: SettingsTarget[]) => string | undefined;

/** One setting. */
export interface Setting {
  /** What it is, one sentence for docs/settings.md. */
  meaning: string;
  /** How a stack fills it; absent: no stack sets it (the function's default applies). */
  fill?: Fill;
  /**
   * How deploy.sh sets it: `stack` = the fill over the project's values (project, region, function URLs, invoker
   * accounts); `operator` = deploy.sh's own environment, when set; `secret` = that Secret Manager secret, pinned to
   * its newest version. Absent: unset in production (the default applies, or Cloud Run sets it).
   */
  deploy?: 'stack' | 'operator' | { secret: string };
  /** The default as docs/settings.md says it, where the schema's own value says it badly. */
  default?: string;
  /** A list the schema also splits on this character: deploy.sh writes it so (gcloud splits env vars on commas). */
  listSeparator?: string;
}

/** Service accounts whose OIDC tokens a function accepts (none for a public one). */
export const acceptedAccounts = (
  access: Access,
  s: Pick<StackSettings, 'tasksInvoker' | 'schedulerInvoker'>,
): string[] =>
  access === 'task-target' ? [s.tasksInvoker] : access === 'scheduler-target' ? [s.schedulerInvoker] : [];

/** The URL of function `name` in the stack. */
const urlOf =
  (name: string): Fill =>
  (_s, _fn, all) =>
    all.find((f) => f.name === name)?.url;
const webhookSecret = (secret: string, meaning: string): Setting =>
  // Locally every storefront platform signs with the stack's one webhook secret.
  ({ meaning, fill: (s) => s.webhookSecret, deploy: { secret } });

/** Every setting a function reads, in the order deploy.sh writes them. */
export const SETTINGS: Record<string, Setting> = {
  GOOGLE_CLOUD_PROJECT: {
    meaning: 'project id (queue paths, trace correlation)',
    fill: (s) => s.project,
    deploy: 'stack',
  },
  K_SERVICE: { meaning: 'function name in log labels (Cloud Run sets it)', default: "the function's name" },
  LOG_LEVEL: {
    meaning: 'lowest severity logged: `DEBUG`, `INFO`, `NOTICE`, `WARNING`, `ERROR`, `CRITICAL`',
    fill: (s) => s.logLevel,
  },
  TASKS_LOCATION: { meaning: 'region of the queues', fill: (s) => s.location, deploy: 'stack' },
  TASKS_INVOKER_SERVICE_ACCOUNT: {
    meaning: 'service account whose OIDC token the tasks carry',
    fill: (s) => s.tasksInvoker,
    deploy: 'stack',
  },
  CLOUD_TASKS_EMULATOR_HOST: {
    meaning:
      '`host:port` of a Cloud Tasks emulator; the same `@google-cloud/tasks` client then speaks plain-HTTP REST to it. Unset in production',
    fill: (s) => s.tasksHost,
  },
  // A private function checks that tokens are for its own URL and from the account that calls it.
  OIDC_AUDIENCE: {
    meaning: "the `aud` tokens must carry: the function's own URL",
    fill: (_s, fn) => (fn.access !== 'public' ? fn.url : undefined),
    deploy: 'stack',
  },
  OIDC_ALLOWED_EMAILS: {
    meaning: 'comma-separated service accounts allowed to call',
    fill: (s, fn) => (fn.access !== 'public' ? acceptedAccounts(fn.access, s).join(',') : undefined),
    deploy: 'stack',
  },
  OIDC_ISSUERS: { meaning: 'accepted `iss` values (locally: the Cloud Tasks emulator)', fill: (s) => s.issuer },
  OIDC_JWKS_URL: { meaning: "where the issuer's keys are (locally: the emulator's JWKS)", fill: (s) => s.jwksUrl },
  AGGREGATE_ORDERS_URL: {
    meaning: "URL of `aggregate-orders` (the `reports` tasks' target)",
    fill: urlOf('aggregate-orders'),
    deploy: 'stack',
  },
  AGGREGATE_ORDERS_AUDIENCE: { meaning: 'OIDC audience of the `reports` tasks', default: '`AGGREGATE_ORDERS_URL`' },
  SEND_NOTIFICATION_URL: {
    meaning: "URL of `send-notification` (the `notifications` tasks' target)",
    fill: urlOf('send-notification'),
    deploy: 'stack',
  },
  SEND_NOTIFICATION_AUDIENCE: {
    meaning: 'OIDC audience of the `notifications` tasks',
    default: '`SEND_NOTIFICATION_URL`',
  },
  FIRESTORE_DATABASE: { meaning: 'Firestore database id' },
  FIRESTORE_TIMEOUT_MS: {
    meaning:
      "how long one Firestore operation may take before the function answers 503 (locally 60000: the emulator's first answers are slow)",
    fill: (s) => (s.firestoreTimeoutMs !== undefined ? String(s.firestoreTimeoutMs) : undefined),
  },
  FIRESTORE_EMULATOR_HOST: {
    meaning: '`host:port` of the Firestore emulator; unset in production',
    fill: (s) => s.firestoreHost,
  },
  SENDGRID_API_KEY: {
    meaning: 'SendGrid key with mail.send',
    fill: (s) => s.sendgridKey,
    deploy: { secret: 'sendgrid-api-key' },
  },
  SENDGRID_BASE_URL: {
    meaning: 'SendGrid API base URL (the mail sink locally)',
    fill: (s) => s.mailUrl,
    default: "SendGrid's",
  },
  MAIL_FROM: { meaning: 'sender address (a verified SendGrid sender)', fill: (s) => s.mailFrom, deploy: 'operator' },
  MAIL_FROM_NAME: { meaning: "the sender's display name", fill: (s) => s.mailFromName, deploy: 'operator' },
  MAIL_REPLY_TO: { meaning: 'where replies go', deploy: 'operator', default: '`MAIL_FROM`' },
  SENDGRID_TIMEOUT_MS: { meaning: "one SendGrid request's time limit" },
  SENDGRID_TEMPLATE_ORDER_CONFIRMATION: {
    meaning:
      'a SendGrid dynamic template (`d-…`) for order confirmations; without one our own templates render the email',
    deploy: 'operator',
  },
  SENDGRID_TEMPLATE_SHIPPING_UPDATE: { meaning: 'the same for shipping updates', deploy: 'operator' },
  SENDGRID_TEMPLATE_ORDER_CANCELLED: { meaning: 'the same for cancellations', deploy: 'operator' },
  SENDGRID_TEMPLATE_DAILY_REPORT: { meaning: 'the same for the daily report', deploy: 'operator' },
  DELIVERY_LEASE_SECONDS: { meaning: 'how long one attempt holds its claim on an email' },
  STOREFRONT_WEBHOOK_SECRETS: webhookSecret(
    'storefront-webhook-secrets',
    'comma-separated signing secrets (≥ 16 characters each; several during a rotation)',
  ),
  SHOPIFY_WEBHOOK_SECRETS: webhookSecret(
    'shopify-webhook-secrets',
    "comma-separated: the app's client secret or the shop's webhook signing key (≥ 16 characters each)",
  ),
  WOOCOMMERCE_WEBHOOK_SECRETS: webhookSecret(
    'woocommerce-webhook-secrets',
    "comma-separated: the webhook's secret as entered in WooCommerce (≥ 16 characters each)",
  ),
  WEBHOOK_MAX_BODY_BYTES: { meaning: 'largest accepted body' },
  WEBHOOK_SIGNATURE_TOLERANCE_SECONDS: { meaning: 'how old or new a signature may be' },
  STORE_TIME_ZONE: {
    meaning: "the store's IANA time zone: store-days, hours, the window (`npm run dev -- --time-zone`)",
    fill: (s) => s.timeZone,
    deploy: 'operator',
  },
  REPORTS_WINDOW: {
    meaning: '`HH:MM-HH:MM` store time of the next day that shard tasks are spread over',
    deploy: 'operator',
  },
  REPORTS_MAX_BACKFILL_DAYS: { meaning: 'most days per `schedule-reports` call', deploy: 'operator' },
  REPORTS_EMAIL_TO: {
    meaning:
      'report recipients, comma- (or `;`-) separated, at most 50; unset: no email (dev: `merchant@shop.example`)',
    fill: (s) => s.reportsEmailTo,
    deploy: 'operator',
    listSeparator: ';',
  },
  REPORTS_EMAIL_LOCALE: { meaning: 'locale of the report email', deploy: 'operator', default: "the template's" },
  REPORTS_PAGE_SIZE: { meaning: 'orders per query page', deploy: 'operator' },
  REPORTS_TASK_BUDGET_SECONDS: {
    meaning: 'reading time per task before the shard continues in a follow-up task (0: one page per task)',

    deploy: 'operator',
  },
  REPORTS_DISPATCH_DEADLINE_SECONDS: { meaning: 'dispatch deadline of the shard tasks', deploy: 'operator' },
};
