/**
 * The parts the benchmarks run functions against, in this process or as children: the Firestore emulator, our Cloud
 * Tasks emulator (its OIDC issuer signs the task tokens), the mail sink behind a pass-through proxy that notes when
 * each SendGrid request arrives, and a capture target that collects the tasks storefront-webhook enqueues (real
 * payloads with emulator-signed tokens for the task-target benchmarks). Also: starting a function as a child
 * process (bundle from its deploy folder, unbundled TypeScript from the repo, or the hello-world floor).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../local/tasks-emulator/index.ts';
import { readQueuesFile } from '../local/tasks-emulator/queues-file.ts';
import { startMailSink, type MailSink } from '../local/mail-sink/server.ts';
import { startFirestoreEmulator, type FirestoreEmulator } from '../test/support/firestore-emulator.ts';

export const ROOT = join(import.meta.dirname, '..');
export const SECRET = 'whsec_bench_0123456789abcdef';
export const INVOKER = 'tasks-invoker@bench.iam.gserviceaccount.com';
/** The audience of send-notification's tokens: fixed, so a token captured once fits every instance's port. */
export const NOTIFY_AUD = 'https://send-notification.bench/';

/** A task as the emulator dispatched it: its headers (Authorization with the emulator-signed token) and body. */
export interface CapturedTask {
  headers: Record<string, string>;
  body: string;
}

export interface BenchStack {
  emulator: Emulator;
  firestore: FirestoreEmulator;
  sink: MailSink;
  /** Arrival times (performance.now()) of SendGrid requests at the proxy, in order. */
  mailArrivals: number[];
  captured: CapturedTask[];
  /** The environment of `name` in this stack. */
  env(name: string): Record<string, string>;
  close(): Promise<void>;
}

const listen = async (server: http.Server): Promise<string> => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

export async function startBenchStack(): Promise<BenchStack> {
  const firestore = await startFirestoreEmulator();
  // The queues of queues.json, dispatching fast: the benchmarks wait for the tasks they make, not for the rate limit.
  const queues = readQueuesFile(join(ROOT, 'queues.json')).map((q) => ({
    ...q,
    rateLimits: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 100 },
  }));
  const emulator = await startEmulator({ port: 0, project: 'bench', location: 'us-central1', queues });
  const sink = await startMailSink({ apiKey: 'SG.bench' });
  const mailArrivals: number[] = [];
  const sinkUrl = new URL(sink.url);
  const proxy = http.createServer((req, res) => {
    mailArrivals.push(performance.now());
    const up = http.request(
      { host: sinkUrl.hostname, port: sinkUrl.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(up);
  });
  const proxyUrl = await listen(proxy);
  const captured: CapturedTask[] = [];
  const capture = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      captured.push({ headers: req.headers as Record<string, string>, body });
      res.writeHead(204).end();
    });
  });
  const captureUrl = await listen(capture);
  const common = {
    GOOGLE_CLOUD_PROJECT: 'bench',
    FIRESTORE_EMULATOR_HOST: firestore.host,
    LOG_LEVEL: 'ERROR',
    FIRESTORE_TIMEOUT_MS: '60000',
  };
  const intake = {
    ...common,
    TASKS_LOCATION: 'us-central1',
    TASKS_INVOKER_SERVICE_ACCOUNT: INVOKER,
    CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${emulator.port}`,
    SEND_NOTIFICATION_URL: `${captureUrl}/`,
    SEND_NOTIFICATION_AUDIENCE: NOTIFY_AUD,
  };
  const envs: Record<string, Record<string, string>> = {
    'storefront-webhook': { ...intake, STOREFRONT_WEBHOOK_SECRETS: SECRET },
    // The platform webhooks take the same intake settings (their orders also enqueue notifications).
    'shopify-webhook': { ...intake, SHOPIFY_WEBHOOK_SECRETS: SECRET },
    'woocommerce-webhook': { ...intake, WOOCOMMERCE_WEBHOOK_SECRETS: SECRET },
    'send-notification': {
      ...common,
      OIDC_AUDIENCE: NOTIFY_AUD,
      OIDC_ALLOWED_EMAILS: INVOKER,
      OIDC_ISSUERS: emulator.issuer,
      OIDC_JWKS_URL: emulator.jwksUrl,
      SENDGRID_API_KEY: 'SG.bench',
      SENDGRID_BASE_URL: proxyUrl,
      MAIL_FROM: 'orders@shop.example',
    },
  };
  return {
    emulator,
    firestore,
    sink,
    mailArrivals,
    captured,
    env(name) {
      const env = envs[name];
      if (!env) throw new Error(`bench/stack.ts has no environment for ${name}`);
      return env;
    },
    async close() {
      proxy.closeAllConnections();
      capture.closeAllConnections();
      await Promise.all([new Promise((r) => proxy.close(r)), new Promise((r) => capture.close(r))]);
      await emulator.close();
      await sink.close();
      await firestore.stop();
    },
  };
}

/** How a function is started: its bundle from a deploy folder, its TypeScript from the repo, or the floor. */
/** How a function is started; `env` adds settings to its environment (e.g. another Firestore transport). */
export type Variant = { kind: 'bundle' | 'floor'; dir: string; env?: Record<string, string> } | { kind: 'unbundled' };

/** A function started as functions-framework starts it in Cloud Run (NODE_ENV=production). */
export function spawnFunction(
  variant: Variant,
  name: string,
  port: number,
  env: Record<string, string>,
  extraNodeOptions = '',
): ChildProcess {
  const ff = 'node_modules/@google-cloud/functions-framework/build/src/main.js';
  const args =
    variant.kind === 'unbundled'
      ? [join(ROOT, ff), `--target=${name}`, `--source=${join(ROOT, 'functions', name, 'index.ts')}`, `--port=${port}`]
      : [join(variant.dir, ff), `--target=${variant.kind === 'floor' ? 'hello' : name}`, `--port=${port}`];
  return spawn(process.execPath, args, {
    cwd: variant.kind === 'unbundled' ? ROOT : variant.dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      NODE_OPTIONS: `--enable-source-maps ${extraNodeOptions}`.trim(),
      ...env,
      ...(variant.kind === 'unbundled' ? {} : variant.env),
    },
    stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore'],
  });
}

/** Polls `url` with GETs every 5 ms until it answers anything (a function's *ready*); fails if `child` exits first. */
export async function waitReady(url: string, child: ChildProcess, label: string): Promise<void> {
  for (;;) {
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** The p-th percentile (nearest rank) of `xs`. */
export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
export const median = (xs: number[]): number => pct(xs, 50);
export const round = (x: number, digits = 0): number => Number(x.toFixed(digits));
