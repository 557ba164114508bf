import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

describe('googleRest outside the emulators', () => {
  it('sends the access token that Application Default Credentials get from the metadata server, as on Cloud Run', async () => {
    // A stand-in for Cloud Run's metadata server (GCE_METADATA_HOST is google-auth-library's own override), and an API.
    const asked: string[] = [];
    const metadata = http.createServer((req, res) => {
      asked.push(`${req.url} ${req.headers['metadata-flavor']}`);
      res.setHeader('Metadata-Flavor', 'Google');
      if (req.url!.startsWith('/computeMetadata/v1/instance/service-accounts/default/token')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'ya29.from-metadata', expires_in: 3599, token_type: 'Bearer' }));
      } else if (req.url === '/computeMetadata/v1/project/project-id') {
        res.writeHead(200, { 'content-type': 'application/text' }).end('shop');
      } else if (req.url === '/computeMetadata/v1/instance' || req.url === '/computeMetadata/v1/instance/') {
        res.writeHead(200, { 'content-type': 'application/text' }).end('attributes/\n');
      } else res.writeHead(404).end();
    });
    const auths: (string | undefined)[] = [];
    const api = http.createServer((req, res) => {
      auths.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"x"}');
    });
    await Promise.all([metadata, api].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    const home = mkdtempSync(join(tmpdir(), 'adc-'));
    try {
      const script = `import { googleRest } from ${JSON.stringify(new URL('../../shared/google-rest.ts', import.meta.url).pathname)};
        const call = googleRest({ baseUrl: 'http://127.0.0.1:${(api.address() as AddressInfo).port}/v1', emulator: false, scope: 'https://www.googleapis.com/auth/datastore' });
        console.log(JSON.stringify([await call('GET', 'a'), await call('POST', 'b', {})]));`;
      // A clean environment: no key file, no gcloud credentials in HOME, so ADC falls through to the metadata server.
      const env = { PATH: process.env.PATH!, HOME: home, GCE_METADATA_HOST: `127.0.0.1:${(metadata.address() as AddressInfo).port}` };
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env }).catch((e: Error) => {
        throw new Error(`metadata server was asked:\n${asked.join('\n')}\n${e.message}`);
      });
      expect(JSON.parse(stdout)).toEqual([{ name: 'x' }, { name: 'x' }]);
      expect(auths).toEqual(['Bearer ya29.from-metadata', 'Bearer ya29.from-metadata']);
      // One token for both calls (cached), asked with the Metadata-Flavor header and the scope.
      const tokenAsks = asked.filter((a) => a.includes('/token'));
      expect(tokenAsks).toHaveLength(1);
      expect(tokenAsks[0]).toMatch(/scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdatastore.* Google$/);
    } finally {
      rmSync(home, { recursive: true, force: true });
      await Promise.all([metadata, api].map((s) => new Promise<void>((r) => s.close(() => r()))));
    }
  });
});
