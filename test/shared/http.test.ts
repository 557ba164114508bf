import { http } from '@google-cloud/functions-framework';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PermanentError, RateLimitedError, RequestError, RetryableError } from '../../shared/errors.ts';
import { publicEndpoint, taskTarget, type GiveUp } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { createOidcVerifier } from '../../shared/oidc.ts';
import { startTestIssuer, type TestIssuer } from '../support/jwks.ts';
import { serveFunction } from '../support/serve.ts';

const AUD = 'http://target.test/';
const SA = 'tasks-invoker@shop.iam.gserviceaccount.com';
const Payload = z.object({
  mode: z.enum(['ok', 'permanent', 'retry', 'retry-after', 'rate-limited', 'crash']),
  n: z.number().int(),
});

let issuer: TestIssuer;
let target: { url: string; close(): Promise<void> };
let endpoint: { url: string; close(): Promise<void> };
const lines: string[] = [];
const givenUp: GiveUp[] = [];
const seen: unknown[] = [];
const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  issuer = await startTestIssuer();
  const log = createLogger({ write: (l) => lines.push(l), labels: { function: 'test-target' } });
  http(
    'test-target',
    taskTarget({
      schema: Payload,
      verify: createOidcVerifier({
        jwksUrl: issuer.jwksUrl,
        issuers: [issuer.issuer],
        audience: AUD,
        allowedEmails: [SA],
      }),
      log,
      project: 'shop',
      maxAttempts: (q) => (q === 'notifications' ? 5 : undefined),
      onGiveUp: async (f) => void givenUp.push(f),
      handler: async (p, ctx) => {
        seen.push({ p, ctx: { ...ctx, log: undefined } });
        if (p.mode === 'permanent') throw new PermanentError('provider-rejected', 'SendGrid said 400');
        if (p.mode === 'retry') throw new RetryableError('provider-unavailable', 'SendGrid said 503');
        if (p.mode === 'retry-after')
          throw new RetryableError('not-ready', 'order not known yet', { retryAfterSeconds: 7.2 });
        if (p.mode === 'rate-limited')
          throw new RateLimitedError('provider-rate-limited', 'SendGrid said 429', { retryAfterSeconds: 30 });
        if (p.mode === 'crash') throw new TypeError('boom');
      },
    }),
  );
  http(
    'test-public',
    publicEndpoint({
      log,
      project: 'shop',
      maxBodyBytes: 100,
      handler: async (req, res) => {
        if (req.body.fail === 'bad')
          throw new RequestError(400, 'invalid-payload', 'bad field', {
            details: [{ path: 'a.b', message: 'Required' }],
          });
        if (req.body.fail === 'down') throw new RetryableError('dependency-unavailable', 'Firestore is down');
        if (req.body.fail === 'bug') throw new Error('bug');
        res.status(202).json({ ok: true });
      },
    }),
  );
  target = await serveFunction('test-target');
  endpoint = await serveFunction('test-public');
});
afterAll(async () => {
  await target.close();
  await endpoint.close();
  await issuer.close();
});

async function callTask(body: unknown, headers: Record<string, string> = {}, token?: string) {
  const auth = token ?? (await issuer.sign({ aud: AUD, email: SA }));
  return fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${auth}`,
      'x-cloudtasks-queuename': 'notifications',
      'x-cloudtasks-taskname': 'task-1',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('taskTarget', () => {
  it.each([
    ['ok', 204, undefined, undefined],
    ['permanent', 200, undefined, 'dropped'],
    ['retry', 503, null, 'retry'],
    ['retry-after', 503, '8', 'retry'],
    ['rate-limited', 429, '30', 'retry'],
    ['crash', 500, null, 'retry'],
  ] as const)('maps a %s outcome to %i', async (mode, status, retryAfter, outcome) => {
    const res = await callTask({ mode, n: 1 });
    expect(res.status).toBe(status);
    if (retryAfter !== undefined) expect(res.headers.get('retry-after')).toBe(retryAfter);
    if (outcome) expect(((await res.json()) as { outcome: string }).outcome).toBe(outcome);
  });

  it('logs a permanent failure at ERROR and gives the task up', async () => {
    givenUp.length = 0;
    await callTask({ mode: 'permanent', n: 2 });
    expect(givenUp.map((g) => [g.error.code, g.ctx.task])).toEqual([['provider-rejected', 'task-1']]);
    expect(entries().at(-1)).toMatchObject({ severity: 'ERROR', code: 'provider-rejected', outcome: 'dropped' });
  });

  it('logs an unexpected error with its stack', async () => {
    await callTask({ mode: 'crash', n: 3 });
    const e = entries().findLast((x) => x.severity === 'ERROR')!;
    expect(e.stack_trace).toMatch(/TypeError: boom\n\s+at /);
  });

  it('reads the X-CloudTasks-* headers into the task context', async () => {
    seen.length = 0;
    await callTask(
      { mode: 'ok', n: 4 },
      {
        'X-CloudTasks-TaskRetryCount': '2',
        'X-CloudTasks-TaskExecutionCount': '1',
        'X-CloudTasks-TaskETA': '1764000000.5',
        'X-CloudTasks-TaskPreviousResponse': '503',
        'X-CloudTasks-TaskRetryReason': '',
      },
    );
    expect((seen[0] as { ctx: object }).ctx).toMatchObject({
      queue: 'notifications',
      task: 'task-1',
      retryCount: 2,
      executionCount: 1,
      eta: new Date(1764000000500),
      previousResponse: 503,
      lastAttempt: false,
      caller: { email: SA },
    });
  });

  it.each([
    [
      'its traceparent',
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      '4bf92f3577b34da6a3ce929d0e0e4736',
    ],
    ['a malformed traceparent', { traceparent: '00-xyz-00f067aa0ba902b7-01' }, undefined],
    ['an all-zero traceparent', { traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01` }, undefined],
    [
      'a huge traceparent',
      { traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01${'-ab'.repeat(3000)}` },
      undefined,
    ],
  ])('continues %s in the task context and the log (a new trace when unusable)', async (_name, headers, traceId) => {
    seen.length = 0;
    lines.length = 0;
    expect((await callTask({ mode: 'ok', n: 5 }, headers)).status).toBe(204);
    const trace = (seen[0] as { ctx: { trace: { traceId: string } } }).ctx.trace;
    if (traceId) expect(trace.traceId).toBe(traceId);
    else expect(trace.traceId).toMatch(/^(?!0{32})[\da-f]{32}$/);
    expect(entries().at(-1)).toMatchObject({
      message: 'Task done',
      'logging.googleapis.com/trace': `projects/shop/traces/${trace.traceId}`,
    });
  });

  it('gives up a retryable failure on the last allowed attempt, and logs CRITICAL', async () => {
    givenUp.length = 0;
    const res = await callTask({ mode: 'retry', n: 5 }, { 'X-CloudTasks-TaskRetryCount': '4' });
    expect(res.status).toBe(503);
    expect(givenUp).toHaveLength(1);
    expect(entries().at(-1)).toMatchObject({ severity: 'CRITICAL', outcome: 'given-up' });
    givenUp.length = 0;
    await callTask({ mode: 'retry', n: 5 }, { 'X-CloudTasks-TaskRetryCount': '3' });
    expect(givenUp).toHaveLength(0);
  });

  it('drops an invalid payload with a 2xx, naming the fields', async () => {
    givenUp.length = 0;
    const res = await callTask({ mode: 'nope' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('invalid-payload');
    expect(body.message).toMatch(/mode: .*; n: /);
    expect(givenUp[0]?.body).toEqual({ mode: 'nope' });
  });

  it('drops a body that is not JSON', async () => {
    const token = await issuer.sign({ aud: AUD, email: SA });
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { code: string }).code).toBe('unsupported-media-type');
  });

  it('answers 401 without a valid token and 403 for another principal, running nothing', async () => {
    seen.length = 0;
    expect((await callTask({ mode: 'ok', n: 1 }, {}, 'garbage')).status).toBe(401);
    const other = await issuer.sign({ aud: AUD, email: 'intruder@shop.iam.gserviceaccount.com' });
    const res = await callTask({ mode: 'ok', n: 1 }, {}, other);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('permission-denied');
    expect(seen).toHaveLength(0);
  });

  it('answers 405 to other methods', async () => {
    const res = await fetch(target.url);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('publicEndpoint', () => {
  const post = (body: string, contentType = 'application/json') =>
    fetch(endpoint.url, { method: 'POST', headers: { 'content-type': contentType }, body });
  it.each([
    ['accepted', () => post('{}'), 202, undefined],
    ['a client error with details', () => post('{"fail":"bad"}'), 400, 'invalid-payload'],
    ['an unavailable dependency', () => post('{"fail":"down"}'), 503, 'dependency-unavailable'],
    ['a bug', () => post('{"fail":"bug"}'), 500, 'internal'],
    [
      'another method',
      () => fetch(endpoint.url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }),
      405,
      'method-not-allowed',
    ],
    ['another content type', () => post('a=b', 'application/x-www-form-urlencoded'), 415, 'unsupported-media-type'],
    ['a body over the limit', () => post(JSON.stringify({ x: 'y'.repeat(200) })), 413, 'payload-too-large'],
  ] as const)('answers %s', async (_n, call, status, code) => {
    const res = await call();
    expect(res.status).toBe(status);
    if (code) expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it('lists invalid fields in details', async () => {
    const res = await post('{"fail":"bad"}');
    expect(await res.json()).toEqual({
      error: { code: 'invalid-payload', message: 'bad field', details: [{ path: 'a.b', message: 'Required' }] },
    });
  });
});
