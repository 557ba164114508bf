/**
 * What a running dev stack is made of, for the runner, the console, the operator commands (ops/), scripts
 * (`npm run demo`) and tests: the shape and place of `<state>/stack.json` (written once every part answers, deleted
 * when the runner stops), and the values the local stacks (dev runner, test/support) give some settings. The
 * settings themselves, and how a stack fills each, are the one catalogue in ops/settings/catalogue.ts.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A local stack's Firestore is a Java emulator whose first answers (JIT, a new gRPC channel) took over 10 s on a
 * busy 2-core machine: the local stacks (dev runner, test/support) allow it a minute.
 */
export const LOCAL_FIRESTORE_TIMEOUT_MS = 60_000;

/** Who gets the local stack's daily report (see it in the outbox). */
export const LOCAL_REPORTS_EMAIL_TO = 'merchant@shop.example';

/** The sender of the local stack's emails. */
export const LOCAL_MAIL = { mailFrom: 'orders@shop.example', mailFromName: 'Storefront (local)' } as const;

/** How a function is called, as in production. */
export type Access = 'public' | 'task-target' | 'scheduler-target';

export interface StackFunction {
  url: string;
  port: number;
  access: Access;
  /** The `aud` its OIDC tokens must carry (its own URL); absent for a public function. */
  audience?: string;
  /** Service accounts whose OIDC tokens it accepts; empty for a public function. */
  acceptsServiceAccounts: string[];
  /** Queues whose tasks call it. */
  queues: string[];
  /** Process group id of its functions-framework process. */
  pid: number;
}

export interface StackInfo {
  version: 1;
  startedAt: string;
  readyAfterMs: number;
  /** Absolute path of the state folder. */
  stateDir: string;
  project: string;
  location: string;
  /** The store's time zone (STORE_TIME_ZONE of the functions). */
  timeZone?: string;
  runner: { pid: number };
  functions: Record<string, StackFunction>;
  tasksEmulator: {
    url: string;
    /** The `CLOUD_TASKS_EMULATOR_HOST` value. */
    host: string;
    issuer: string;
    jwksUrl: string;
    queues: Record<string, { path: string; target: string | null }>;
    /** Every attempt: `GET <url>/_emulator/dispatches?task=<name>`. */
    dispatchesUrl: string;
    pid: number;
  };
  firestore: {
    /** The `FIRESTORE_EMULATOR_HOST` value. */
    host: string;
    /** Firestore REST base of the project's documents, e.g. `<restUrl>/orders/<id>`. */
    restUrl: string;
    pid: number;
  };
  mailSink: {
    /** The `SENDGRID_BASE_URL` value. */
    url: string;
    outboxUrl: string;
    outboxDir: string;
    apiKey: string;
    pid: number;
  };
  /** The local console (local/console): a web page over the queues, tasks, attempts, dead letters, outbox, reports. */
  console?: { url: string };
  webhook: {
    url: string;
    /** The signing secret (`STOREFRONT_WEBHOOK_SECRETS`). */
    secret: string;
    header: 'X-Storefront-Signature';
  };
  serviceAccounts: { tasksInvoker: string; schedulerInvoker: string };
  /** Process group ids of every process the runner started (each part runs in its own group). */
  processGroups: number[];
}

export const stackFile = (stateDir: string): string => join(stateDir, 'stack.json');

export function writeStack(stateDir: string, info: StackInfo): void {
  const file = stackFile(stateDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(info, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

export function readStack(file: string): StackInfo {
  if (!existsSync(file))
    throw new Error(
      `No dev stack is running: ${file} does not exist. Start one with \`npm run dev\` (in another terminal).`,
    );
  return JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
}
