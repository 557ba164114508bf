import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoogleApiError, errorOf, googleRest } from '../../shared/google-rest.ts';
import { isTransient } from '../../shared/grpc.ts';
import { freePort } from '../support/net.ts';

describe('errorOf: a Google API error answer as the gRPC code the client libraries report', () => {
  it('takes the canonical status the body names', () => {
    const e = errorOf(409, JSON.stringify({ error: { code: 409, message: 'Requested entity already exists', status: 'ALREADY_EXISTS' } }));
    expect(e).toBeInstanceOf(GoogleApiError);
    expect(e).toMatchObject({ code: 6, status: 'ALREADY_EXISTS', httpStatus: 409 });
    expect(e.message).toBe('6 ALREADY_EXISTS: Requested entity already exists');
  });

  it('reads the one-element array a streaming endpoint answers with', () => {
    expect(errorOf(409, JSON.stringify([{ error: { code: 409, message: 'Transaction lock timeout', status: 'ABORTED' } }]))).toMatchObject({ code: 10, status: 'ABORTED' });
  });

  it('maps the HTTP status when the body is not Google error JSON, keeping the start of the body', () => {
    const proxy = errorOf(502, '<html>Bad Gateway</html>');
    expect(proxy).toMatchObject({ code: 14, status: 'UNAVAILABLE' });
    expect(proxy.message).toContain('<html>Bad Gateway</html>');
    expect(isTransient(proxy)).toBe(true);
    expect(errorOf(404, '')).toMatchObject({ code: 5, status: 'NOT_FOUND' });
    expect(errorOf(400, JSON.stringify({ error: { status: 'NOT_A_STATUS', message: 'x' } }))).toMatchObject({ code: 3, status: 'INVALID_ARGUMENT', message: '3 INVALID_ARGUMENT: x' });
    expect(isTransient(errorOf(403, '{}'))).toBe(false);
  });
});

describe('googleRest against an HTTP server', () => {
  const seen: { method: string; url: string; authorization?: string; body: string }[] = [];
  let hang = false;
  let drop = 0;
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
    if (hang) return; // never answers
    if (drop > 0) {
      drop--;
      req.socket.destroy(); // the connection breaks before any answer
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
  });
  let base: string;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('sends the JSON body and the emulator owner token, and answers the JSON', async () => {
    const call = googleRest({ baseUrl: base, emulator: true });
    expect(await call('POST', 'projects/p/thing:run', { a: 1 })).toEqual({ ok: true });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/v1/projects/p/thing:run', authorization: 'Bearer owner', body: '{"a":1}' });
  });

  it('gives up on a call that is not answered, with an error that counts as an outage', async () => {
    hang = true;
    const err = await googleRest({ baseUrl: base, emulator: true, timeoutMs: 50 })('GET', 'slow').catch((e: unknown) => e);
    hang = false;
    expect(err).toMatchObject({ code: 4, status: 'DEADLINE_EXCEEDED', httpStatus: 0 });
    expect((err as Error).message).toMatch(/no answer within 50 ms/);
    expect(isTransient(err)).toBe(true);
  });

  it('reports a refused connection as UNAVAILABLE', async () => {
    const err = await googleRest({ baseUrl: `http://127.0.0.1:${await freePort()}/v1`, emulator: true })('GET', 'x').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 14, status: 'UNAVAILABLE', httpStatus: 0 });
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('sends a read once more when its connection broke before any answer, but never a write', async () => {
    const call = googleRest({ baseUrl: base, emulator: true });
    drop = 1;
    const before = seen.length;
    expect(await call('POST', 'docs:batchGet', {}, { idempotent: true })).toEqual({ ok: true });
    expect(seen.length - before).toBe(2);
    drop = 1;
    const err = await call('POST', 'docs:commit', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 14, status: 'UNAVAILABLE', httpStatus: 0 });
    expect(seen.length - before).toBe(3);
    drop = 2;
    await expect(call('GET', 'docs/x', undefined, { idempotent: true })).rejects.toMatchObject({ code: 14 });
    expect(seen.length - before).toBe(5);
    drop = 0;
  });
});
