/** Test helpers: a recording HTTP target, a REST client on the emulator, and the real Node client wired to it. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudTasksClient } from '@google-cloud/tasks';
import { PassThroughClient } from 'google-auth-library';

/** One request the target received. */
export interface Received {
  method: string;
  path: string;
  /** Header names lowercased (as node:http gives them). */
  headers: http.IncomingHttpHeaders;
  /** Raw name/value pairs with their casing. */
  rawHeaders: string[];
  body: Buffer;
  at: number;
}

/** A reply script: status, headers and body for a request, or 'hang' to never answer. */
export type Reply = (r: Received, n: number) => ReplyValue | Promise<ReplyValue>;
type ReplyValue = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A local task target that records every request and answers per `reply` (default 204). */
export async function startTarget(reply: Reply = () => ({ status: 204 })) {
  const received: Received[] = [];
  let script = reply;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      received.push(r);
      const out = await script(r, received.length);
      if (out === 'hang') return;
      res.writeHead(out.status, out.headers ?? {}).end(out.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    setReply(next: Reply) {
      script = next;
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** The real `@google-cloud/tasks` client with the REST transport over plain HTTP (reference §6.1). */
export const nodeClient = (port: number): CloudTasksClient =>
  new CloudTasksClient({
    fallback: true,
    protocol: 'http',
    apiEndpoint: '127.0.0.1',
    port,
    authClient: new PassThroughClient(),
  } as ConstructorParameters<typeof CloudTasksClient>[0]);

/** A raw REST call; returns status and parsed JSON. */
export async function rest(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: res.status, json: await res.json() };
}
