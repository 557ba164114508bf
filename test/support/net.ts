/** Small network helpers for tests: free ports, waiting for a server to answer, requests with any headers. */
import http from 'node:http';
import { createServer } from 'node:net';

/**
 * Ports handed to a server that binds them later (a child process, the Firestore emulator) are taken from a range of
 * this test worker's own, below the kernel's ephemeral range (32768+): the kernel never gives such a port to a
 * `listen(0)` or an outgoing connection in between, and two workers never pick the same one.
 */
const RANGE_START = 10_000;
const RANGE_SIZE = 2_500;
const worker = Math.max(0, Number(process.env.VITEST_POOL_ID ?? process.pid % 9) - 1) % 9;
let next = Math.floor(Math.random() * RANGE_SIZE);

/** Whether `port` can be bound on 127.0.0.1 now. */
export const portIsFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });

/** `count` consecutive ports of this worker's range, free on 127.0.0.1 now. */
export async function freePorts(count = 1): Promise<number[]> {
  for (let tries = 0; tries < 200; tries++) {
    if (next + count > RANGE_SIZE) next = 0;
    const base = RANGE_START + worker * RANGE_SIZE + next;
    next += count;
    const ports = Array.from({ length: count }, (_, i) => base + i);
    // fetch refuses to connect to the "bad ports" of the Fetch standard; 10080 is the one in our ranges.
    if (ports.includes(10_080)) continue;
    if ((await Promise.all(ports.map(portIsFree))).every(Boolean)) return ports;
  }
  throw new Error(`no block of ${count} free ports in this worker's range`);
}

/** A free port of this worker's range on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** Polls `url` until it answers (any status), `gaveUp()` is true, or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs: number, gaveUp: () => boolean = () => false): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    if (gaveUp()) throw new Error(`gave up waiting for ${url}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}

export interface RawResponse {
  status: number;
  text: string;
}

/**
 * One request with exactly these headers (fetch sets Host itself; node:http lets a test send a rebound one). The
 * connection goes to the address of `url`.
 */
export function rawRequest(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: o.method ?? 'GET', headers: o.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Whether this machine can listen on the IPv6 loopback address. */
export const ipv6Loopback = (): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
