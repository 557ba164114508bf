/**
 * The local console: one web page over the whole background system (queues, tasks, attempts, dead letters, the
 * outbox, orders and reports), served by a small node:http server that reads and acts only through the APIs the
 * project itself uses. Dev-only; nothing in functions/ or shared/ imports it. See docs/local-development.md, "Local console".
 *
 *   const c = await startConsole({ port: 0, tasksUrl, mailUrl, firestoreHost, project });  c.url; await c.stop();
 */
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { createRequestGuard, isWrite } from '../request-guard.ts';
import { routeApi } from './api.ts';
import { followAttempts } from './attempts.ts';
import { firestoreData } from './firestore-data.ts';
import { mailApi, tasksApi, UpstreamError } from './upstream.ts';

type Env = Record<string, string | undefined>;

export interface ConsoleOptions {
  /** 0 picks a free port. @default 8000 */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Hosts besides loopback and `host` that may reach it (`--allowed-hosts`; see local/request-guard.ts). */
  allowedHosts?: readonly string[];
  /** Receives the structured entry of each refused request. @default a JSON line on stdout */
  log?: (entry: Record<string, unknown>) => void;
  /** The Cloud Tasks emulator's base URL, e.g. `http://127.0.0.1:8123`. */
  tasksUrl: string;
  /** The mail sink's base URL (`SENDGRID_BASE_URL`). */
  mailUrl: string;
  /** `FIRESTORE_EMULATOR_HOST`, e.g. `127.0.0.1:8180`. */
  firestoreHost: string;
  project: string;
  /** @default us-central1 */
  location?: string;
  /**
   * Settings the dead-letter redrive needs beyond project, location and emulator hosts, as `npm run dead-letters`
   * reads them: `TASKS_INVOKER_SERVICE_ACCOUNT` and each target's `<NAME>_URL` (and `<NAME>_AUDIENCE`); or a
   * function giving them, read at each redrive.
   */
  opsEnv?: Env | (() => Env);
  /** How often the dispatch log is read. @default 1000 */
  pollMs?: number;
}

export interface Console {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '..', '..');
const pageDir = join(import.meta.dirname, 'page');
/** Browser modules served from node_modules as they are published (ESM), named by the page's import map. */
const VENDOR: Record<string, string> = {
  'preact.mjs': 'node_modules/preact/dist/preact.mjs',
  'hooks.mjs': 'node_modules/preact/hooks/dist/hooks.mjs',
  'htm.mjs': 'node_modules/htm/dist/htm.mjs',
  'uplot.mjs': 'node_modules/uplot/dist/uPlot.esm.js',
  'uplot.css': 'node_modules/uplot/dist/uPlot.min.css',
};
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
};

export async function startConsole(o: ConsoleOptions): Promise<Console> {
  const location = o.location ?? 'us-central1';
  const tasks = tasksApi(o.tasksUrl.replace(/\/+$/, ''), o.project, location);
  const mail = mailApi(o.mailUrl.replace(/\/+$/, ''));
  const data = firestoreData({
    project: o.project,
    firestoreHost: o.firestoreHost,
    opsEnv: () => ({
      TASKS_LOCATION: location,
      CLOUD_TASKS_EMULATOR_HOST: new URL(o.tasksUrl).host,
      ...(typeof o.opsEnv === 'function' ? o.opsEnv() : o.opsEnv),
    }),
  });
  const attempts = followAttempts(tasks, { intervalMs: o.pollMs ?? 1000 });
  const deps = { tasks, mail, data, attempts };
  const guard = createRequestGuard({ boundHost: o.host ?? '127.0.0.1', allowedHosts: o.allowedHosts, log: o.log });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://console');
    const method = req.method ?? 'GET';
    const refused = guard(req);
    if (refused) throw new UpstreamError(refused.status, refused.message);
    if (url.pathname.startsWith('/api/')) {
      // A JSON type makes a browser ask first (CORS preflight) before it sends a cross-origin write at all.
      if (isWrite(method) && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
        throw new UpstreamError(
          415,
          `Content-Type must be application/json on ${method} ${url.pathname}, got "${req.headers['content-type'] ?? ''}"`,
        );
      }
      const body = async (): Promise<Record<string, any>> => {
        const chunks: Buffer[] = [];
        for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          const parsed: unknown = text ? JSON.parse(text) : {};
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, any>;
        } catch {}
        throw new UpstreamError(400, 'The request body must be a JSON object');
      };
      const result = await routeApi(deps, { method, path: url.pathname.slice(5), query: url.searchParams, body });
      return sendJson(res, 200, result ?? {});
    }
    if (method !== 'GET') throw new UpstreamError(405, `${method} is not allowed on ${url.pathname}`);
    const email = /^\/email\/([^/]+)$/.exec(url.pathname);
    if (email) {
      // The email's own HTML, as the recipient's client gets it; the sandbox CSP keeps its scripts and forms inert
      // even when opened directly, and the page shows it in a sandboxed iframe.
      const html = await mail.html(decodeURIComponent(email[1]!));
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': 'sandbox',
        'Cache-Control': 'no-store',
      });
      return void res.end(html);
    }
    const vendor = /^\/vendor\/([\w.-]+)$/.exec(url.pathname)?.[1];
    if (vendor) return sendFile(res, VENDOR[vendor] ? join(root, VENDOR[vendor]) : undefined);
    const file = url.pathname === '/' ? 'index.html' : normalize(url.pathname.slice(1));
    return sendFile(res, file.startsWith('..') ? undefined : join(pageDir, file));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A gRPC error (a numeric code) comes from Firestore: an upstream failure, not the console's.
      const status =
        err instanceof UpstreamError ? err.status : typeof (err as { code?: unknown }).code === 'number' ? 502 : 500;
      if (!res.headersSent)
        sendJson(res, status, { error: { status, message: err instanceof Error ? err.message : String(err) } });
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 8000, o.host ?? '127.0.0.1', () => ok());
  });
  const { address, port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/`,
    stop: () =>
      (stopping ??= (async () => {
        attempts.stop();
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeAllConnections();
        });
        await data.close();
      })()),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
}

function sendFile(res: ServerResponse, file: string | undefined): void {
  if (!file || !existsSync(file) || !TYPES[extname(file)]) {
    sendJson(res, 404, { error: { status: 404, message: 'Not found' } });
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)]!, 'Cache-Control': 'no-cache' });
  createReadStream(file).pipe(res);
}
