/**
 * A SendGrid v3 compatible mail sink for tests and local runs: `POST /v3/mail/send` checked like SendGrid,
 * accepted messages kept in an outbox (memory and optionally disk), failures scriptable. Dev-only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestGuard } from '../request-guard.ts';
import {
  createFaults,
  defaultErrorBody,
  parseRandomFaults,
  parseSteps,
  type FaultStep,
  type RandomFaults,
} from './faults.ts';
import { createOutbox, messageHtml, outboxPage, type SinkMessage } from './outbox.ts';
import { sendGridErrors, validateMailSend } from './validate.ts';

export type { FaultStep, RandomFaults } from './faults.ts';
export type { SinkMessage } from './outbox.ts';

export interface MailSinkOptions {
  /** @default 127.0.0.1 */
  host?: string;
  /** Hosts besides loopback and `host` that may reach it (`--allowed-hosts`; see local/request-guard.ts). */
  allowedHosts?: readonly string[];
  /** Receives the structured entry of each refused request. @default a JSON line on stdout */
  log?: (entry: Record<string, unknown>) => void;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** Where accepted messages are written, one `.json` (plus `.html`/`.txt`) per message. @default memory only */
  outboxDir?: string;
  /** The API key callers must send as `Authorization: Bearer <key>`. @default any key is accepted */
  apiKey?: string;
  /** Largest accepted body, as SendGrid's 30 MB. @default 31457280 */
  maxBodyBytes?: number;
}

export interface MailSink {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`: the `SENDGRID_BASE_URL` to use. */
  url: string;
  close(): Promise<void>;
  /** Accepted messages, oldest first. */
  messages(): SinkMessage[];
  /** Forgets every message (and deletes their files) and every scripted or random fault. */
  clear(): void;
  /** Appends steps that the next `POST /v3/mail/send` requests consume, one each, in order. */
  script(steps: FaultStep[]): void;
  /** Fails a share of the requests that no script step covers; `undefined` turns that off. */
  faults(settings: RandomFaults | undefined): void;
}

/** Starts the sink; resolves once it listens. */
export async function startMailSink(options: MailSinkOptions = {}): Promise<MailSink> {
  const outbox = createOutbox(options.outboxDir);
  const faults = createFaults();
  const timers = new Set<NodeJS.Timeout>();
  const maxBody = options.maxBodyBytes ?? 30 * 1024 * 1024;
  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => (timers.delete(t), resolve()), ms);
      timers.add(t);
    });

  const mailSend = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const step = faults.next();
    if (step?.delayMs) await delay(step.delayMs);
    if (step?.status !== undefined) return answerStep(res, step);
    const auth = checkAuth(req.headers.authorization, options.apiKey);
    if (auth) return sendJson(res, 401, sendGridErrors(auth));
    const raw = await readBody(req, maxBody);
    if (raw === undefined) return sendJson(res, 413, sendGridErrors('request entity too large'));
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendJson(res, 400, sendGridErrors('Bad Request'));
    }
    const errors = validateMailSend(body);
    if (errors.length) return sendJson(res, 400, { errors });
    const json = body as Record<string, any>;
    if (json.mail_settings?.sandbox_mode?.enable === true) return void res.writeHead(200).end();
    const message = outbox.add(json);
    res.writeHead(202, { 'X-Message-Id': message.id }).end();
  };

  const guard = createRequestGuard({
    boundHost: options.host ?? '127.0.0.1',
    allowedHosts: options.allowedHosts,
    log: options.log,
  });
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refused = guard(req);
    if (refused)
      return sendJson(res, refused.status, {
        errors: [{ message: refused.message, field: refused.header, help: null }],
      });
    const path = new URL(req.url ?? '/', 'http://sink').pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (path === '/v3/mail/send') return method === 'POST' ? mailSend(req, res) : notAllowed(res);
    if (path === '/outbox' && method === 'GET') {
      return wantsHtml(req)
        ? sendHtml(res, outboxPage(outbox.list()))
        : sendJson(res, 200, { messages: outbox.list() });
    }
    const one = /^\/outbox\/([\w-]+)(?:\/(html|text))?$/.exec(path);
    if (one && method === 'GET') {
      const m = outbox.get(one[1]!);
      if (!m) return sendJson(res, 404, { error: 'no such message' });
      if (one[2] === 'html') return sendHtml(res, messageHtml(m));
      if (one[2] === 'text')
        return void res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(m.text ?? '');
      return sendJson(res, 200, m);
    }
    if (path === '/_sink/health' && method === 'GET')
      return sendJson(res, 200, { ok: true, messages: outbox.list().length });
    if (path === '/_sink/clear' && method === 'POST') return (sink.clear(), sendJson(res, 200, { ok: true }));
    if ((path === '/_sink/script' || path === '/_sink/faults') && method === 'POST') {
      const raw = await readBody(req, 1024 * 1024);
      try {
        const input: unknown = JSON.parse(raw?.toString('utf8') ?? '');
        if (path === '/_sink/script') faults.script(parseSteps(input));
        else faults.random(parseRandomFaults(input));
      } catch (err) {
        return sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
      }
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, sendGridErrors('not found'));
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, sendGridErrors(String(err)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  const sink: MailSink = {
    url: `http://${host}:${port}`,
    messages: () => outbox.list(),
    clear() {
      outbox.clear();
      faults.reset();
    },
    script: (steps) => faults.script(steps),
    faults: (settings) => faults.random(settings),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return sink;
}

function checkAuth(header: string | undefined, apiKey: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return 'Permission denied, wrong credentials';
  if (apiKey !== undefined && m[1] !== apiKey)
    return 'The provided authorization grant is invalid, expired, or revoked';
  return undefined;
}

function answerStep(res: ServerResponse, step: FaultStep): void {
  const status = step.status!;
  const body = step.body ?? (status >= 400 ? defaultErrorBody(status) : undefined);
  const headers: Record<string, string> = { ...step.headers };
  if (status === 202 && !Object.keys(headers).some((h) => h.toLowerCase() === 'x-message-id'))
    headers['X-Message-Id'] = 'scripted';
  if (body === undefined) return void res.writeHead(status, headers).end();
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** The body, or `undefined` when it is larger than `max` bytes (read to the end anyway, so the answer arrives). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  }
  return size > max ? undefined : Buffer.concat(chunks);
}

function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('text/html') && !accept.startsWith('application/json');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
}

function notAllowed(res: ServerResponse): void {
  res.writeHead(405, { Allow: 'POST', 'Content-Type': 'application/json' });
  res.end(JSON.stringify(sendGridErrors('method not allowed')));
}
