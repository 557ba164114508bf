import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../local/tasks-emulator/index.ts';
import { type AppError, PermanentError, RetryableError } from '../../shared/errors.ts';
import { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { createEnqueuer, createTasksClient, taskIdFor } from '../../shared/tasks.ts';
import { created } from '../support/events.ts';
import { freePort } from '../support/net.ts';

// First, a local HTTP server standing in for the Cloud Tasks REST API: it records what the real client library sends
// and answers as Cloud Tasks would (the created Task, or a google.rpc.Status error).
interface Seen {
  method: string;
  url: string;
  body: Record<string, any>;
}
const seen: Seen[] = [];
let answer: (req: Seen) => { status: number; body: unknown } | 'never' = (r) => ({
  status: 200,
  body: { ...r.body.task, name: r.body.task.name ?? `${r.url.slice(4, -6)}/tasks/generated1` },
});
let server: Server;
let host: string;

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    let raw = '';
    for await (const c of req) raw += c;
    const s = { method: req.method!, url: req.url!.split('?')[0]!, body: raw ? JSON.parse(raw) : {} };
    seen.push(s);
    const a = answer(s);
    if (a === 'never') return; // holds the request until the client gives up (closed with the server)
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);

const enqueuer = (emulatorHost = host) =>
  createEnqueuer({
    client: createTasksClient({ emulatorHost }),
    project: 'shop',
    location: 'europe-west1',
    serviceAccount: 'tasks-invoker@shop.iam.gserviceaccount.com',
    schemas: QUEUE_SCHEMAS,
    targets: { notifications: { url: 'https://send-notification-x.a.run.app/' } },
  });
const payload = () => {
  const e = created('o-1');
  return {
    kind: 'order-confirmation' as const,
    idempotencyKey: e.id,
    eventId: e.id,
    order: (e.data as { order: any }).order,
  };
};

describe('enqueue (REST requests of the real client library)', () => {
  it('creates an HTTP task with JSON body, Content-Type, OIDC token and a hashed task id', async () => {
    seen.length = 0;
    const when = new Date('2026-11-25T03:00:00.250Z');
    const r = await enqueuer()('notifications', payload(), {
      idempotencyKey: 'evt-1',
      scheduleTime: when,
      dispatchDeadlineSeconds: 120,
    });
    const id = taskIdFor('notifications', 'evt-1');
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(r).toEqual({
      name: `projects/shop/locations/europe-west1/queues/notifications/tasks/${id}`,
      duplicate: false,
    });
    expect(seen).toHaveLength(1);
    const { method, url, body } = seen[0]!;
    expect(method).toBe('POST');
    expect(url).toBe('/v2/projects/shop/locations/europe-west1/queues/notifications/tasks');
    expect(body.task.name).toBe(r.name);
    expect(body.task.httpRequest).toMatchObject({
      httpMethod: 1, // POST: the Node REST transport sends enums as numbers
      url: 'https://send-notification-x.a.run.app/',
      headers: { 'Content-Type': 'application/json' },
      oidcToken: {
        serviceAccountEmail: 'tasks-invoker@shop.iam.gserviceaccount.com',
        audience: 'https://send-notification-x.a.run.app/',
      },
    });
    expect(JSON.parse(Buffer.from(body.task.httpRequest.body, 'base64').toString())).toEqual(payload());
    expect(new Date(body.task.scheduleTime).toISOString()).toBe(when.toISOString());
    expect(body.task.dispatchDeadline).toBe('120s');
  });

  it('puts the trace on the task as its traceparent header, with the trace id and flag and a new span id', async () => {
    seen.length = 0;
    const trace = {
      project: 'shop',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      sampled: true,
    };
    await enqueuer()('notifications', payload(), { idempotencyKey: 'evt-traced', trace });
    const headers = seen[0]!.body.task.httpRequest.headers as Record<string, string>;
    expect(headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[\da-f]{16}-01$/);
    expect(headers.traceparent).not.toContain(trace.spanId);
    seen.length = 0;
    await enqueuer()('notifications', payload(), { idempotencyKey: 'evt-untraced' });
    expect(Object.keys(seen[0]!.body.task.httpRequest.headers)).toEqual(['Content-Type']);
  });

  it('returns ALREADY_EXISTS as a duplicate, not an error', async () => {
    answer = () => ({
      status: 409,
      body: { error: { code: 409, message: 'Requested entity already exists', status: 'ALREADY_EXISTS' } },
    });
    const r = await enqueuer()('notifications', payload(), { idempotencyKey: 'evt-1' });
    expect(r.duplicate).toBe(true);
  });

  it('gives up on a Cloud Tasks that does not answer within its time limit, as a retryable error', async () => {
    const saved = answer;
    answer = () => 'never';
    try {
      const enqueue = createEnqueuer({
        client: createTasksClient({ emulatorHost: host }),
        project: 'shop',
        location: 'europe-west1',
        serviceAccount: 'tasks-invoker@shop.iam.gserviceaccount.com',
        schemas: QUEUE_SCHEMAS,
        targets: { notifications: { url: 'https://send-notification-x.a.run.app/' } },
        timeoutMs: 300,
      });
      const err = await enqueue('notifications', payload()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RetryableError);
      // The limit given, not the library's own 20 s: the message names what was left of it when the request went out
      // (google-gax arms its timer with the deadline minus the time already spent, so on a busy machine a little less).
      const { code, message } = err as RetryableError;
      expect(code).toBe('dependency-unavailable');
      const left = /^Cloud Tasks is unavailable \(queue notifications\): .*within (\d+) milliseconds/.exec(message);
      expect(left, message).not.toBeNull();
      expect(Number(left![1])).toBeLessThanOrEqual(300);
    } finally {
      answer = saved;
    }
  });

  it('turns UNAVAILABLE and connection failures into retryable errors', async () => {
    answer = () => ({
      status: 503,
      body: { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } },
    });
    await expect(enqueuer()('notifications', payload())).rejects.toBeInstanceOf(RetryableError);
    await expect(enqueuer(`127.0.0.1:${await freePort()}`)('notifications', payload())).rejects.toMatchObject({
      code: 'dependency-unavailable',
    });
  });

  it('rejects an invalid payload before any call, naming the field', async () => {
    seen.length = 0;
    const p = payload();
    const err = await enqueuer()('notifications', { ...p, order: { ...p.order, total: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).message).toMatch(/order\.total: must equal subtotal/);
    expect(seen).toHaveLength(0);
  });

  it('rejects a payload over the 1 MiB task limit before any call', async () => {
    seen.length = 0;
    const p = payload();
    const lines = Array.from({ length: 500 }, (_, i) => ({
      sku: `S${i}`,
      name: 'x'.repeat(290),
      quantity: 1,
      unitPrice: 0,
    }));
    const big = {
      ...p,
      order: {
        ...p.order,
        lines,
        subtotal: 0,
        total: 0 + p.order.shipping + p.order.tax - (p.order.discount ?? 0),
        customer: { ...p.order.customer, name: 'y'.repeat(200) },
      },
    };
    const huge = { ...big, idempotencyKey: 'k', eventId: 'e'.repeat(900_000) };
    const err = await enqueuer()('notifications', huge).catch((e: unknown) => e);
    expect((err as PermanentError).code).toBe('task-too-large');
    expect(seen).toHaveLength(0);
  });
});

describe('enqueue against the local Cloud Tasks emulator', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, project: 'shop', location: 'europe-west1', queues: 'queues.json' });
    await fetch(`${emulator.url}/v2/${emulator.queuePath('notifications')}:pause`, { method: 'POST' });
  });
  afterAll(() => emulator.close());

  it('creates the task the emulator stores, then reports the same key as a duplicate', async () => {
    const enqueue = enqueuer(`127.0.0.1:${emulator.port}`);
    const when = new Date(Date.now() + 3_600_000);
    const first = await enqueue('notifications', payload(), {
      idempotencyKey: 'evt-emu-1',
      scheduleTime: when,
      dispatchDeadlineSeconds: 60,
    });
    expect(first.duplicate).toBe(false);
    const task = (await (await fetch(`${emulator.url}/v2/${first.name}?responseView=FULL`)).json()) as Record<
      string,
      any
    >;
    expect(task.name).toBe(first.name);
    expect(new Date(task.scheduleTime).getTime()).toBe(when.getTime());
    expect(task.dispatchDeadline).toBe('60s');
    expect(task.httpRequest).toMatchObject({
      httpMethod: 'POST',
      url: 'https://send-notification-x.a.run.app/',
      oidcToken: { serviceAccountEmail: 'tasks-invoker@shop.iam.gserviceaccount.com' },
    });
    expect(
      Object.entries(task.httpRequest.headers as Record<string, string>).find(
        ([k]) => k.toLowerCase() === 'content-type',
      )?.[1],
    ).toBe('application/json');
    expect(JSON.parse(Buffer.from(task.httpRequest.body, 'base64').toString())).toEqual(payload());
    expect(await enqueue('notifications', payload(), { idempotencyKey: 'evt-emu-1' })).toEqual({
      name: first.name,
      duplicate: true,
    });
  });

  it('fails with a clear error for a queue that does not exist', async () => {
    const enqueue = createEnqueuer({
      client: createTasksClient({ emulatorHost: `127.0.0.1:${emulator.port}` }),
      project: 'other-project',
      location: 'europe-west1',
      serviceAccount: 'tasks-invoker@shop.iam.gserviceaccount.com',
      schemas: QUEUE_SCHEMAS,
      targets: { notifications: { url: 'https://send-notification-x.a.run.app/' } },
    });
    const err = (await enqueue('notifications', payload()).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/Cloud Tasks rejected the notifications task/);
  });
});
