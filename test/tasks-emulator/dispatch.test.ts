/** Dispatch semantics on the wire: the request a real target receives, OIDC tokens, and the Task resource counters. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startEmulator } from '../../local/tasks-emulator/index.ts';
import type { Emulator } from '../../local/tasks-emulator/index.ts';
import { eventually } from '../support/eventually.ts';
import { nodeClient, rest, startTarget } from './support.ts';

let em: Emulator;
let target: Awaited<ReturnType<typeof startTarget>>;
let n = 0;

beforeAll(async () => {
  em = await startEmulator({ port: 0, project: 'disp', location: 'us-east1' });
  target = await startTarget();
});
afterAll(async () => {
  await em.close();
  await target.close();
});
afterEach(() => {
  target.received.length = 0;
  target.setReply(() => ({ status: 204 }));
});

/** A fresh queue (REST body fields), returning its name. */
async function queue(body: Record<string, unknown> = {}): Promise<string> {
  const name = em.queuePath(`q${++n}`);
  const res = await rest(em.url, 'POST', `/v2/projects/disp/locations/us-east1/queues`, { name, ...body });
  expect(res.status).toBe(200);
  return name;
}
async function task(q: string, t: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await rest(em.url, 'POST', `/v2/${q}/tasks`, { task: t });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
}

describe('the dispatched request', () => {
  it('carries the task method, headers and body, the X-CloudTasks-* headers, and no added Content-Type', async () => {
    const q = await queue();
    const t = await task(q, {
      name: `${q}/tasks/order-42`,
      httpRequest: {
        url: `${target.url}/run?x=1`,
        httpMethod: 'PUT',
        body: Buffer.from('payload').toString('base64'),
        headers: { 'X-Custom': 'yes', 'X-CloudTasks-QueueName': 'spoofed', 'user-agent': 'mine' },
      },
    });
    const [r] = await eventually(() => (target.received.length === 1 ? target.received : false));
    expect(r!.method).toBe('PUT');
    expect(r!.path).toBe('/run?x=1');
    expect(r!.body.toString()).toBe('payload');
    expect(r!.headers['content-type']).toBeUndefined();
    expect(r!.headers['user-agent']).toBe('Google-Cloud-Tasks');
    expect(r!.headers['x-custom']).toBe('yes');
    expect(r!.headers).toMatchObject({
      'x-cloudtasks-queuename': q.split('/').pop(),
      'x-cloudtasks-taskname': 'order-42',
      'x-cloudtasks-taskretrycount': '0',
      'x-cloudtasks-taskexecutioncount': '0',
    });
    expect(Number(r!.headers['x-cloudtasks-tasketa'])).toBeCloseTo(Date.parse(t.scheduleTime) / 1000, 3);
    expect(r!.headers['x-cloudtasks-taskpreviousresponse']).toBeUndefined();
    expect(r!.headers['x-cloudtasks-taskretryreason']).toBeUndefined();
    expect(r!.rawHeaders).toContain('X-CloudTasks-TaskName');
    expect(r!.headers.authorization).toBeUndefined();
    // The target sees the request before the emulator has its answer and records the attempt: wait for that.
    await em.waitForIdle();
    const log = em.dispatches({ task: 'order-42' });
    expect(log).toMatchObject([{ attempt: 1, status: 204, outcome: 'succeeded', method: 'PUT', bodyBytes: 7 }]);
    expect((await rest(em.url, 'GET', `/v2/${q}/tasks/order-42`)).status).toBe(404);
  });

  it("passes a task's traceparent and X-Cloud-Trace-Context on unchanged at every attempt, and logs the start of each answer", async () => {
    const q = await queue({ retryConfig: { minBackoff: '0.010s', maxBackoff: '0.050s' } });
    target.setReply((_r, i) =>
      i === 1
        ? { status: 503, body: `{"outcome":"retry","code":"sendgrid-unavailable"}${' '.repeat(2000)}` }
        : { status: 204 },
    );
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await task(q, {
      name: `${q}/tasks/traced`,
      httpRequest: {
        url: target.url,
        headers: { traceparent, 'X-Cloud-Trace-Context': '4bf92f3577b34da6a3ce929d0e0e4736/1;o=1' },
      },
    });
    await em.waitForIdle({ drained: true });
    expect(target.received.map((r) => [r.headers.traceparent, r.headers['x-cloud-trace-context']])).toEqual([
      [traceparent, '4bf92f3577b34da6a3ce929d0e0e4736/1;o=1'],
      [traceparent, '4bf92f3577b34da6a3ce929d0e0e4736/1;o=1'],
    ]);
    await em.waitForIdle();
    const [first, second] = em.dispatches({ task: 'traced' });
    expect(first!.requestHeaders.traceparent).toBe(traceparent);
    expect(first!.responseBody).toMatch(/^\{"outcome":"retry","code":"sendgrid-unavailable"\} +$/);
    expect(first!.responseBody).toHaveLength(1024);
    expect(second!.responseBody).toBeUndefined();
  });

  it('signs an OIDC token like Google: RS256 with kid, verifiable with the emulator JWKS, aud = url by default', async () => {
    const q = await queue();
    const url = `${target.url}/oidc?a=b`;
    await task(q, {
      httpRequest: {
        url,
        headers: { Authorization: 'Bearer overridden' },
        oidcToken: { serviceAccountEmail: 'invoker@disp.iam.gserviceaccount.com' },
      },
    });
    await task(q, {
      httpRequest: {
        url: `${target.url}/aud`,
        oidcToken: { serviceAccountEmail: 'invoker@disp.iam.gserviceaccount.com', audience: 'https://fn.example' },
      },
    });
    await eventually(() => expect(target.received).toHaveLength(2));
    const discovery = (await rest(em.url, 'GET', '/.well-known/openid-configuration')).json;
    expect(discovery).toMatchObject({ issuer: em.issuer, jwks_uri: em.jwksUrl });
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const byPath = Object.fromEntries(target.received.map((r) => [r.path.split('?')[0], r.headers.authorization]));
    const token = byPath['/oidc']!.replace(/^Bearer /, '');
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: em.issuer, audience: url });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
    expect(payload).toMatchObject({
      email: 'invoker@disp.iam.gserviceaccount.com',
      email_verified: true,
      sub: expect.stringMatching(/^\d{21}$/),
    });
    expect(payload.azp).toBe(payload.sub);
    expect(payload.exp! - payload.iat!).toBe(3600);
    const other = byPath['/aud']!.replace(/^Bearer /, '');
    await expect(jwtVerify(other, jwks, { issuer: em.issuer, audience: 'https://fn.example' })).resolves.toBeTruthy();
    await expect(jwtVerify(other, jwks, { issuer: em.issuer, audience: url })).rejects.toThrow();
    expect(decodeProtectedHeader(other).kid).toBe(protectedHeader.kid);
  });
});

describe('queue-level httpTarget', () => {
  it('overrides URI parts, headers and the OIDC token of every task at dispatch, and is removed by an empty patch', async () => {
    const port = new URL(target.url).port;
    const httpTarget = {
      uriOverride: {
        scheme: 'HTTP',
        host: '127.0.0.1',
        port,
        pathOverride: { path: '/override' },
        queryOverride: { queryParams: 'q=1' },
      },
      headerOverrides: [{ header: { key: 'X-Q', value: 'queue' } }],
      oidcToken: { serviceAccountEmail: 'queue-sa@disp.iam.gserviceaccount.com', audience: 'https://queue-audience' },
    };
    const q = await queue({ httpTarget });
    expect((await rest(em.url, 'GET', `/v2/${q}`)).json.httpTarget).toEqual({
      ...httpTarget,
      uriOverride: { ...httpTarget.uriOverride, port: String(port) },
    });
    await task(q, { httpRequest: { url: 'https://unreachable.invalid/original?x=y', headers: { 'x-q': 'task' } } });
    const [r] = await eventually(() => (target.received.length === 1 ? target.received : false));
    expect(r).toMatchObject({ path: '/override?q=1', headers: { 'x-q': 'queue' } });
    const { payload } = await jwtVerify(r!.headers.authorization!.slice(7), createRemoteJWKSet(new URL(em.jwksUrl)), {
      issuer: em.issuer,
      audience: 'https://queue-audience',
    });
    expect(payload.email).toBe('queue-sa@disp.iam.gserviceaccount.com');
    const cleared = await rest(em.url, 'PATCH', `/v2/${q}?updateMask=httpTarget`, {});
    expect(cleared.json.httpTarget).toBeUndefined();
    const bad = await rest(em.url, 'PATCH', `/v2/${q}?updateMask=httpTarget`, {
      httpTarget: { oidcToken: { serviceAccountEmail: 'a@b' } },
    });
    expect(bad.json.error.status).toBe('INVALID_ARGUMENT');
  });
});

describe('BufferTask', () => {
  it('makes a task from a raw body sent to the queue httpTarget, with or without a task id', async () => {
    const port = new URL(target.url).port;
    const q = await queue({
      httpTarget: { uriOverride: { scheme: 'HTTP', host: '127.0.0.1', port, pathOverride: { path: '/buffered' } } },
    });
    const post = async (path: string): Promise<any> =>
      (
        await fetch(`${em.url}/v2/${q}/${path}`, {
          method: 'POST',
          body: 'raw text',
          headers: { 'content-type': 'text/plain' },
        })
      ).json();
    const named = await post('tasks/buf-1:buffer');
    expect(named.task.name).toBe(`${q}/tasks/buf-1`);
    const generated = await post('tasks:buffer');
    expect(generated.task.name).toMatch(/\/tasks\/\d+$/);
    await eventually(() => expect(target.received).toHaveLength(2));
    expect(target.received.map((r) => [r.path, r.headers['content-type'], r.body.toString()])).toEqual([
      ['/buffered', 'text/plain', 'raw text'],
      ['/buffered', 'text/plain', 'raw text'],
    ]);
    const plain = await queue();
    const refused = (await (
      await fetch(`${em.url}/v2/${plain}/tasks:buffer`, { method: 'POST', body: 'x' })
    ).json()) as { error: { status: string } };
    expect(refused.error.status).toBe('FAILED_PRECONDITION');
  });
});

describe('retries', () => {
  it('counts retries and executions like real Cloud Tasks (503→404→429→500→302→200 gives 0,0,1,2,2,3)', async () => {
    const q = await queue({ retryConfig: { minBackoff: '0.010s', maxBackoff: '0.050s' } });
    const statuses = [503, 404, 429, 500, 302, 200];
    target.setReply((_r, i) => ({ status: statuses[i - 1] ?? 200 }));
    await task(q, { httpRequest: { url: target.url } });
    await em.waitForIdle({ drained: true }); // through every retry
    expect(target.received).toHaveLength(6);
    const h = (name: string) => target.received.map((r) => r.headers[name]);
    expect(h('x-cloudtasks-taskretrycount')).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(h('x-cloudtasks-taskexecutioncount')).toEqual(['0', '0', '1', '2', '2', '3']);
    expect(h('x-cloudtasks-taskpreviousresponse')).toEqual([undefined, '503', '404', '429', '500', '302']);
    expect(h('x-cloudtasks-taskretryreason')).toEqual([undefined, '', '', '', '', '']);
    await em.waitForIdle();
    expect(em.dispatches({ queue: q }).map((d) => d.outcome)).toEqual([
      'retrying',
      'retrying',
      'retrying',
      'retrying',
      'retrying',
      'succeeded',
    ]);
  });

  it('backs off by the documented formula (10s, max 300s, 3 doublings) on the test clock and gives up after maxAttempts', async () => {
    const q = await queue({ retryConfig: { maxAttempts: 8, minBackoff: '10s', maxBackoff: '300s', maxDoublings: 3 } });
    target.setReply(() => ({ status: 500 }));
    const t = await task(q, { httpRequest: { url: target.url } });
    const delays: number[] = [];
    for (let i = 1; i <= 7; i++) {
      await eventually(() => expect(target.received).toHaveLength(i));
      const got = await eventually(async () => {
        const r = (await rest(em.url, 'GET', `/v2/${t.name}`)).json;
        return r.lastAttempt?.responseTime ? r : false;
      });
      expect(got).toMatchObject({ dispatchCount: i, responseCount: i, lastAttempt: { responseStatus: { code: 13 } } });
      expect(got.firstAttempt).toEqual({ dispatchTime: expect.any(String) });
      const delay = (Date.parse(got.scheduleTime) - Date.parse(got.lastAttempt.responseTime)) / 1000;
      delays.push(Math.round(delay));
      em.clock.advance(delay * 1000);
    }
    expect(delays).toEqual([10, 20, 40, 80, 160, 240, 300]);
    await eventually(() => expect(target.received).toHaveLength(8));
    await em.waitForIdle();
    expect(em.dispatches({ queue: q }).at(-1)?.outcome).toBe('gave-up');
    expect((await rest(em.url, 'GET', `/v2/${t.name}`)).json.error.status).toBe('NOT_FOUND');
  });

  it('keeps retrying past maxAttempts until maxRetryDuration has also passed (both limits must be met)', async () => {
    const q = await queue({
      retryConfig: { maxAttempts: 2, maxRetryDuration: '60s', minBackoff: '10s', maxBackoff: '10s' },
    });
    target.setReply(() => ({ status: 500 }));
    await task(q, { httpRequest: { url: target.url } });
    for (let i = 1; i <= 6; i++) {
      await eventually(() => expect(target.received).toHaveLength(i));
      await em.waitForIdle();
      em.clock.advance(10_000);
    }
    await eventually(() => expect(target.received).toHaveLength(7)); // the attempt at +60 s is the last
    await em.waitForIdle();
    em.clock.advance(10_000);
    await em.waitForIdle();
    expect(target.received).toHaveLength(7);
    expect(em.dispatches({ queue: q }).at(-1)?.outcome).toBe('gave-up');
  });

  it('honours Retry-After on 429 and 503', async () => {
    const q = await queue({ retryConfig: { minBackoff: '0.1s' } });
    target.setReply((_r, i) =>
      i === 1 ? { status: 503, headers: { 'Retry-After': '120' } } : { status: 429, headers: { 'Retry-After': '30' } },
    );
    const t = await task(q, { httpRequest: { url: target.url } });
    const delayAfter = async (count: number): Promise<number> => {
      const r = await eventually(async () => {
        const j = (await rest(em.url, 'GET', `/v2/${t.name}`)).json;
        return j.dispatchCount === count && j.lastAttempt?.responseTime ? j : false;
      });
      return Math.round((Date.parse(r.scheduleTime) - Date.parse(r.lastAttempt.responseTime)) / 1000);
    };
    expect(await delayAfter(1)).toBe(120);
    em.clock.advance(120_000);
    expect(await delayAfter(2)).toBe(30);
    await rest(em.url, 'DELETE', `/v2/${t.name}`);
  });

  it('treats a missed dispatchDeadline as a failure and sends 504 as the previous response', async () => {
    const q = await queue({ retryConfig: { minBackoff: '0.01s' } });
    target.setReply((_r, i) => (i === 1 ? 'hang' : { status: 200 }));
    const t = await task(q, { dispatchDeadline: '15s', httpRequest: { url: target.url } });
    await eventually(() => expect(target.received).toHaveLength(1));
    em.clock.advance(15_000);
    await eventually(() => expect(target.received).toHaveLength(2));
    expect(target.received[1]!.headers).toMatchObject({
      'x-cloudtasks-taskpreviousresponse': '504',
      'x-cloudtasks-taskexecutioncount': '0',
      'x-cloudtasks-taskretrycount': '1',
    });
    await em.waitForIdle();
    expect(em.dispatches({ task: t.name })).toMatchObject([
      { timedOut: true, outcome: 'retrying' },
      { status: 200, outcome: 'succeeded' },
    ]);
  });

  it('retries a connection error', async () => {
    const q = await queue({ retryConfig: { maxAttempts: 2, minBackoff: '0.01s' } });
    const dead = await startTarget();
    await dead.close();
    await task(q, { httpRequest: { url: dead.url } });
    await eventually(() => expect(em.dispatches({ queue: q })).toHaveLength(2));
    expect(em.dispatches({ queue: q })).toMatchObject([
      { error: expect.any(String), outcome: 'retrying' },
      { outcome: 'gave-up' },
    ]);
    expect(em.dispatches({ queue: q })[1]!.requestHeaders['X-CloudTasks-TaskPreviousResponse']).toBe('0');
  });
});

describe('schedule, pause, RunTask, purge, names', () => {
  it('holds a future task until its scheduleTime (test clock) and treats a past one as now', async () => {
    const q = await queue();
    const at = new Date(Date.now() + 3600_000).toISOString();
    const t = await task(q, { scheduleTime: at, httpRequest: { url: `${target.url}/later` } });
    const past = await task(q, { scheduleTime: '2001-01-01T00:00:00Z', httpRequest: { url: `${target.url}/past` } });
    expect(Date.parse(past.scheduleTime)).toBeGreaterThanOrEqual(Date.parse(past.createTime));
    await em.waitForIdle();
    expect(target.received.map((r) => r.path)).toEqual(['/past']);
    em.clock.advance(3600_000);
    await eventually(() => expect(target.received).toHaveLength(2));
    expect(Number(target.received[1]!.headers['x-cloudtasks-tasketa'])).toBeCloseTo(
      Date.parse(t.scheduleTime) / 1000,
      3,
    );
  });

  it('accepts but does not dispatch on a paused queue; RunTask dispatches at once anyway; resume releases the rest', async () => {
    const q = await queue();
    await rest(em.url, 'POST', `/v2/${q}:pause`, {});
    const a = await task(q, { httpRequest: { url: `${target.url}/a` } });
    await task(q, { httpRequest: { url: `${target.url}/b` } });
    await em.waitForIdle();
    expect(target.received).toHaveLength(0);
    const client = nodeClient(em.port);
    const [ran] = await client.runTask({ name: a.name });
    expect(ran.dispatchCount).toBe(1);
    await eventually(() => expect(target.received.map((r) => r.path)).toEqual(['/a']));
    await rest(em.url, 'POST', `/v2/${q}:resume`, {});
    await eventually(() => expect(target.received.map((r) => r.path).sort()).toEqual(['/a', '/b']));
    await client.close();
  });

  it('purges the tasks created before the purge, and sets purgeTime', async () => {
    const q = await queue();
    await rest(em.url, 'POST', `/v2/${q}:pause`, {});
    await task(q, { name: `${q}/tasks/old`, httpRequest: { url: target.url } });
    const purged = (await rest(em.url, 'POST', `/v2/${q}:purge`, {})).json;
    expect(purged.purgeTime).toEqual(expect.any(String));
    await task(q, { name: `${q}/tasks/new`, httpRequest: { url: target.url } });
    const list = (await rest(em.url, 'GET', `/v2/${q}/tasks`)).json;
    expect(list.tasks.map((t: { name: string }) => t.name)).toEqual([`${q}/tasks/new`]);
  });

  it('frees a task name once its tombstone window (1 h) has passed on the test clock', async () => {
    const q = await queue();
    await rest(em.url, 'POST', `/v2/${q}:pause`, {});
    const name = `${q}/tasks/again`;
    await task(q, { name, httpRequest: { url: target.url } });
    await rest(em.url, 'DELETE', `/v2/${name}`);
    expect(
      (await rest(em.url, 'POST', `/v2/${q}/tasks`, { task: { name, httpRequest: { url: target.url } } })).json.error
        .status,
    ).toBe('ALREADY_EXISTS');
    em.clock.advance(3600_000 + 1000);
    await task(q, { name, httpRequest: { url: target.url } });
    await rest(em.url, 'POST', `/v2/${q}:resume`, {});
    await eventually(() => expect(target.received).toHaveLength(1));
    await em.waitForIdle();
    expect(em.dispatches({ task: name })).toHaveLength(1); // the deleted task's schedule entry stays dead
  });
});
