/** One HTTP request to a task target, with a deadline that follows the emulator clock. */
import http from 'node:http';
import https from 'node:https';
import type { Clock } from './clock.ts';

/** What one attempt produced: a status, or a deadline miss, or a connection error. */
export interface AttemptOutcome {
  status?: number;
  retryAfter?: string;
  /** The start of the response body (up to {@link BODY_PREVIEW_BYTES}), as text; for the dispatch log. */
  body?: string;
  timedOut?: boolean;
  error?: string;
}

/** How much of a target's answer the dispatch log keeps (enough for an error's JSON code and message). */
export const BODY_PREVIEW_BYTES = 1024;

/** A target request: method, URL, the exact headers to send and the body. */
export interface TargetRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Sends attempts over keep-alive connections; `close()` aborts in-flight ones and drops the sockets. */
export interface HttpSender {
  /** Sends one request; the deadline aborts it when the emulator clock passes `deadlineAt`. Never rejects. */
  send(req: TargetRequest, deadlineAt: number): Promise<AttemptOutcome>;
  close(): void;
}

/** Creates a sender whose deadlines follow `clock`. */
export function createHttpSender(clock: Clock): HttpSender {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: Infinity }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: Infinity }),
  };
  // A Set, not an AbortSignal: EventTarget listeners cost O(n) per add with thousands of attempts in flight.
  const inflight = new Set<http.ClientRequest>();
  let closed = false;
  return {
    send: (req, deadlineAt) =>
      closed ? Promise.resolve({ error: 'emulator closed' }) : sendAttempt(req, deadlineAt, clock, inflight, agents),
    close() {
      closed = true;
      for (const out of inflight) out.destroy(new Error('emulator closed'));
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function sendAttempt(
  req: TargetRequest,
  deadlineAt: number,
  clock: Clock,
  inflight: Set<http.ClientRequest>,
  agents: Record<'http:' | 'https:', http.Agent>,
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    let done = false;
    let timedOut = false;
    const finish = (o: AttemptOutcome): void => {
      if (done) return;
      done = true;
      cancelDeadline();
      inflight.delete(out);
      resolve(o);
    };
    const url = new URL(req.url);
    const lib = url.protocol === 'https:' ? https : http;
    let out: http.ClientRequest;
    try {
      out = lib.request(url, { method: req.method, headers: req.headers, agent: agents[url.protocol as 'http:'] });
    } catch (err) {
      return resolve({ error: (err as Error).message }); // e.g. a header value Node refuses to send
    }
    const cancelDeadline = clock.setTimer(deadlineAt, () => {
      timedOut = true;
      out.destroy(new Error('dispatch deadline exceeded'));
    });
    inflight.add(out);
    out.on('response', (res) => {
      const ra = res.headers['retry-after'];
      const kept: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < BODY_PREVIEW_BYTES) kept.push(chunk.subarray(0, BODY_PREVIEW_BYTES - size));
        size += chunk.length;
      });
      res.on('end', () => {
        const body = Buffer.concat(kept).toString('utf8');
        finish({ status: res.statusCode ?? 0, ...(ra ? { retryAfter: String(ra) } : {}), ...(body ? { body } : {}) });
      });
      res.on('error', (err) => finish(timedOut ? { timedOut } : { error: err.message }));
    });
    out.on('error', (err) => finish(timedOut ? { timedOut } : { error: err.message }));
    out.end(req.body);
  });
}
