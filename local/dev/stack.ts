/**
 * `<state>/stack.json`: what a running dev stack is made of, for scripts (`npm run demo`, tests). Written once
 * every part answers, deleted when the runner stops. The runner prints the same as a table.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalStackSettings } from '../../ops/settings/catalogue.ts';
import { LOCAL_MAIL } from './function-settings.ts';

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
  if (!existsSync(file)) throw new Error(`No dev stack is running: ${file} does not exist. Start one with \`npm run dev\` (in another terminal).`);
  return JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
}

/** The values of the settings catalogue (ops/settings/) for a running stack, as its functions got them. */
export function stackSettingsOf(s: StackInfo): LocalStackSettings {
  return {
    project: s.project,
    location: s.location,
    firestoreHost: s.firestore.host,
    tasksHost: s.tasksEmulator.host,
    issuer: s.tasksEmulator.issuer,
    jwksUrl: s.tasksEmulator.jwksUrl,
    mailUrl: s.mailSink.url,
    sendgridKey: s.mailSink.apiKey,
    webhookSecret: s.webhook.secret,
    tasksInvoker: s.serviceAccounts.tasksInvoker,
    schedulerInvoker: s.serviceAccounts.schedulerInvoker,
    logLevel: 'INFO',
    ...LOCAL_MAIL,
  };
}

/** The table the runner prints once the stack is ready. */
export function stackTable(s: StackInfo, relState: string): string {
  const rows: [string, string, string][] = [];
  for (const [name, f] of Object.entries(s.functions)) {
    const how = f.access === 'public' ? 'public' : `${f.access === 'task-target' ? `task target of ${f.queues.join(', ')}` : 'called by Cloud Scheduler'}; OIDC aud = its URL, accepts ${f.acceptsServiceAccounts.join(', ')}`;
    rows.push([name, f.url, how]);
  }
  rows.push(['tasks emulator', s.tasksEmulator.url, `CLOUD_TASKS_EMULATOR_HOST=${s.tasksEmulator.host}; queues ${Object.keys(s.tasksEmulator.queues).join(', ')}; OIDC issuer = its URL`]);
  rows.push(['firestore', `http://${s.firestore.host}`, `FIRESTORE_EMULATOR_HOST=${s.firestore.host}; project ${s.project}`]);
  rows.push(['mail sink', s.mailSink.url, 'SendGrid v3 API (SENDGRID_BASE_URL)']);
  if (s.console) rows.push(['console', s.console.url, 'open in a browser: queues, tasks, attempts, dead letters, outbox, orders, reports']);
  rows.push(['outbox', s.mailSink.outboxUrl, `open in a browser; files in ${relState}/outbox/`]);
  rows.push(['dead letters', `${s.firestore.restUrl}/deadLetters`, 'Firestore REST (curl)']);
  rows.push(['webhook secret', s.webhook.secret, `sign as ${s.webhook.header}: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`]);
  rows.push(['stack file', `${relState}/stack.json`, 'all of the above as JSON, for scripts']);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const line = '─'.repeat(w0 + 2) + '┴' + '─'.repeat(w1 + 2) + '┴' + '─'.repeat(40);
  const top = '─'.repeat(w0 + 2) + '┬' + '─'.repeat(w1 + 2) + '┬' + '─'.repeat(40);
  return [top, ...rows.map(([a, b, c]) => ` ${a.padEnd(w0)} │ ${b.padEnd(w1)} │ ${c}`), line].join('\n');
}
