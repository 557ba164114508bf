/** The real @google-cloud/tasks client (REST transport, numeric enums) against the emulator: every RPC and the error codes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudTasksClient } from '@google-cloud/tasks';
import { startEmulator } from '../../local/tasks-emulator/index.ts';
import type { Emulator } from '../../local/tasks-emulator/index.ts';
import { nodeClient, rest, startTarget } from './support.ts';

let em: Emulator;
let client: CloudTasksClient;
let target: Awaited<ReturnType<typeof startTarget>>;
const parent = 'projects/node-test/locations/europe-west1';

beforeAll(async () => {
  em = await startEmulator({ port: 0 });
  client = nodeClient(em.port);
  target = await startTarget();
});
afterAll(async () => {
  await client.close();
  await em.close();
  await target.close();
});

const codeOf = async (p: Promise<unknown>): Promise<{ code: number; details: string }> => {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; message: string };
    return { code: err.code, details: err.message };
  }
  throw new Error('expected the call to fail');
};

describe('locations', () => {
  it('lists the default location and those holding queues', async () => {
    await client.createQueue({ parent, queue: { name: `${parent}/queues/loc-q` } });
    // Typed as ILocation, but the mixin resolves to the usual [response, ...] tuple.
    const [loc] = (await client.getLocation({ name: parent })) as unknown as [{ locationId: string }];
    expect(loc.locationId).toBe('europe-west1');
    const ids: string[] = [];
    // An async iterator pages by itself: gax asks for autoPaginate: false (else an AutopaginateTrueWarning).
    for await (const l of client.listLocationsAsync({ name: 'projects/node-test' }, { autoPaginate: false }))
      ids.push(l.locationId ?? '');
    expect(ids).toEqual(['europe-west1', 'us-central1']);
  });
});

describe('queues', () => {
  it('creates with defaults like gcloud describe shows them, and rejects a duplicate with ALREADY_EXISTS', async () => {
    const [q] = await client.createQueue({ parent, queue: { name: `${parent}/queues/defaults` } });
    expect(q.state).toBe('RUNNING');
    expect(q.rateLimits).toMatchObject({
      maxDispatchesPerSecond: 500,
      maxBurstSize: 100,
      maxConcurrentDispatches: 1000,
    });
    expect(q.retryConfig).toMatchObject({
      maxAttempts: 100,
      minBackoff: { seconds: '0', nanos: 100_000_000 },
      maxBackoff: { seconds: '3600' },
      maxDoublings: 16,
    });
    expect(await codeOf(client.createQueue({ parent, queue: { name: `${parent}/queues/defaults` } }))).toEqual({
      code: 6,
      details: 'Queue already exists',
    });
  });

  it('rejects a malformed queue name with the real message', async () => {
    const err = await codeOf(client.createQueue({ parent, queue: { name: `${parent}/queues/bad_name` } }));
    expect(err).toEqual({
      code: 3,
      details: 'Queue name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>".',
    });
  });

  it('patches only the masked fields, and creates the queue when missing', async () => {
    const name = `${parent}/queues/patched`;
    const [created] = await client.updateQueue({
      queue: { name, rateLimits: { maxDispatchesPerSecond: 5 }, retryConfig: { maxAttempts: 7 } },
      updateMask: { paths: ['rate_limits.max_dispatches_per_second'] },
    });
    expect(created.rateLimits?.maxDispatchesPerSecond).toBe(5);
    expect(created.rateLimits?.maxBurstSize).toBe(5);
    expect(created.retryConfig?.maxAttempts).toBe(100); // not in the mask
    const [updated] = await client.updateQueue({
      queue: { name, retryConfig: { maxAttempts: -1, maxRetryDuration: { seconds: 90 } } },
      updateMask: { paths: ['retryConfig'] },
    });
    expect(updated.retryConfig).toMatchObject({
      maxAttempts: -1,
      maxRetryDuration: { seconds: '90' },
      maxDoublings: 16,
    });
    expect(updated.rateLimits?.maxDispatchesPerSecond).toBe(5);
  });

  it('pauses, resumes, lists with a state filter and pages, and deletes', async () => {
    const p2 = 'projects/node-test/locations/asia-east1';
    for (const id of ['a', 'b', 'c']) await client.createQueue({ parent: p2, queue: { name: `${p2}/queues/${id}` } });
    const [paused] = await client.pauseQueue({ name: `${p2}/queues/b` });
    expect(paused.state).toBe('PAUSED');
    const [onlyPaused] = await client.listQueues({ parent: p2, filter: 'state: PAUSED' });
    expect(onlyPaused.map((q) => q.name)).toEqual([`${p2}/queues/b`]);
    const [page1, , resp1] = await client.listQueues({ parent: p2, pageSize: 2 }, { autoPaginate: false });
    expect(page1.map((q) => q.name)).toEqual([`${p2}/queues/a`, `${p2}/queues/b`]);
    const [page2] = await client.listQueues(
      { parent: p2, pageSize: 2, pageToken: resp1?.nextPageToken ?? '' },
      { autoPaginate: false },
    );
    expect(page2.map((q) => q.name)).toEqual([`${p2}/queues/c`]);
    const [resumed] = await client.resumeQueue({ name: `${p2}/queues/b` });
    expect(resumed.state).toBe('RUNNING');
    await client.deleteQueue({ name: `${p2}/queues/c` });
    expect(await codeOf(client.getQueue({ name: `${p2}/queues/c` }))).toEqual({
      code: 5,
      details:
        'Queue does not exist. If you just created the queue, wait at least a minute for the queue to initialize.',
    });
    expect(await codeOf(client.deleteQueue({ name: `${p2}/queues/c` }))).toEqual({
      code: 5,
      details: 'Requested entity was not found.',
    });
  });
});

describe('tasks', () => {
  const queue = `${parent}/queues/tasks`;
  beforeAll(async () => {
    await client.createQueue({ parent, queue: { name: queue } });
    await client.pauseQueue({ name: queue }); // keep tasks in the queue
  });

  it('creates, gets in BASIC and FULL view, lists with pages, and deletes', async () => {
    const later = { seconds: Math.floor(Date.now() / 1000) + 3600 };
    const [t] = await client.createTask({
      parent: queue,
      task: {
        name: `${queue}/tasks/t-1`,
        scheduleTime: later,
        dispatchDeadline: { seconds: 30 },
        httpRequest: {
          url: `${target.url}/x`,
          httpMethod: 'PUT',
          body: Buffer.from('{"a":1}'),
          headers: { 'Content-Type': 'application/json' },
        },
      },
      responseView: 'FULL',
    });
    expect(t.name).toBe(`${queue}/tasks/t-1`);
    expect(t.scheduleTime?.seconds).toBe(String(later.seconds));
    expect(t.dispatchDeadline?.seconds).toBe('30');
    expect(Buffer.from(t.httpRequest!.body as Uint8Array).toString()).toBe('{"a":1}');
    expect(t.httpRequest?.httpMethod).toBe('PUT');
    expect(t.httpRequest?.headers).toEqual({ 'Content-Type': 'application/json', 'User-Agent': 'Google-Cloud-Tasks' });
    const [basic] = await client.getTask({ name: t.name! });
    expect(basic.view).toBe('BASIC');
    expect(basic.httpRequest?.body?.length ?? 0).toBe(0);
    const [full] = await client.getTask({ name: t.name!, responseView: 'FULL' });
    expect(Buffer.from(full.httpRequest!.body as Uint8Array).toString()).toBe('{"a":1}');
    for (let i = 2; i <= 5; i++)
      await client.createTask({
        parent: queue,
        task: { name: `${queue}/tasks/t-${i}`, scheduleTime: later, httpRequest: { url: target.url } },
      });
    const [page, , resp] = await client.listTasks({ parent: queue, pageSize: 3 }, { autoPaginate: false });
    expect(page.map((x) => x.name?.split('/').pop())).toEqual(['t-1', 't-2', 't-3']);
    const [all] = await client.listTasks(
      { parent: queue, pageSize: 3, pageToken: resp?.nextPageToken ?? '' },
      { autoPaginate: false },
    );
    expect(all.map((x) => x.name?.split('/').pop())).toEqual(['t-4', 't-5']);
    await client.deleteTask({ name: `${queue}/tasks/t-5` });
    expect(await codeOf(client.getTask({ name: `${queue}/tasks/t-5` }))).toMatchObject({
      code: 5,
      details: expect.stringContaining('existed recently'),
    });
    expect(await codeOf(client.deleteTask({ name: `${queue}/tasks/t-5` }))).toEqual({
      code: 5,
      details: 'Requested entity was not found.',
    });
    expect(await codeOf(client.getTask({ name: `${queue}/tasks/never` }))).toEqual({
      code: 5,
      details: 'Requested entity was not found.',
    });
  });

  it('gives generated ids, and ALREADY_EXISTS for a live or tombstoned name', async () => {
    const [t] = await client.createTask({ parent: queue, task: { httpRequest: { url: target.url } } });
    expect(t.name).toMatch(new RegExp(`^${queue}/tasks/\\d{10,}$`));
    const name = `${queue}/tasks/dup`;
    await client.createTask({ parent: queue, task: { name, httpRequest: { url: target.url } } });
    expect(
      await codeOf(client.createTask({ parent: queue, task: { name, httpRequest: { url: target.url } } })),
    ).toEqual({ code: 6, details: 'Requested entity already exists' });
    await client.deleteTask({ name });
    const again = await codeOf(client.createTask({ parent: queue, task: { name, httpRequest: { url: target.url } } }));
    expect(again.code).toBe(6);
    expect(again.details).toMatch(/^The task cannot be created because a task with this name existed too recently/);
  });

  it('rejects bad ids, other queues, bad urls, bodies on GET, oversize tasks, far schedules and bad deadlines', async () => {
    const bad = (task: object) => codeOf(client.createTask({ parent: queue, task }));
    expect(await bad({ name: `${queue}/tasks/a.b`, httpRequest: { url: target.url } })).toEqual({
      code: 3,
      details:
        'Task ID "a.b" can contain only letters ([A-Za-z]), numbers ([0-9]), hyphens (-), or underscores (_). Task ID must between 1 and 500 characters.',
    });
    expect(await bad({ name: `${parent}/queues/other/tasks/x`, httpRequest: { url: target.url } })).toEqual({
      code: 3,
      details: `The queue name from request ('${queue}') must be the same as the queue name in the named task ('${parent}/queues/other').`,
    });
    expect(await bad({ httpRequest: { url: '' } })).toEqual({ code: 3, details: 'HttpRequest.url is required.' });
    expect(await bad({ httpRequest: { url: 'ftp://x' } })).toEqual({
      code: 3,
      details: "HttpTarget.url must start with 'http://' or 'https://'.",
    });
    expect((await bad({ httpRequest: { url: target.url, httpMethod: 'GET', body: Buffer.from('x') } })).code).toBe(3);
    expect((await bad({ httpRequest: { url: target.url, body: Buffer.alloc(1024 * 1024 + 1) } })).code).toBe(3);
    expect(
      (
        await bad({
          scheduleTime: { seconds: Math.floor(Date.now() / 1000) + 31 * 86400 },
          httpRequest: { url: target.url },
        })
      ).code,
    ).toBe(3);
    expect((await bad({ dispatchDeadline: { seconds: 14 }, httpRequest: { url: target.url } })).code).toBe(3);
    expect((await bad({ httpRequest: { url: target.url, headers: { 'Bad Name': 'x' } } })).code).toBe(3);
    expect((await bad({ httpRequest: { url: target.url, headers: { 'X-Ok': 'line\nbreak' } } })).code).toBe(3);
    const [ok] = await client.createTask({
      parent: queue,
      task: { httpRequest: { url: target.url, body: Buffer.alloc(1024 * 1024 - 200) } },
    });
    expect(ok.name).toBeTruthy();
  });

  it('answers NOT_FOUND for tasks in a missing queue', async () => {
    expect(
      (await codeOf(client.createTask({ parent: `${parent}/queues/nope`, task: { httpRequest: { url: target.url } } })))
        .code,
    ).toBe(5);
  });
});

describe('queue names and list tokens', () => {
  it('blocks a deleted queue name for queueTombstoneTtlMs, and refuses a page token used with another filter', async () => {
    const strict = await startEmulator({ port: 0, queueTombstoneTtlMs: 7 * 86_400_000 });
    const c = nodeClient(strict.port);
    try {
      const name = `${parent}/queues/gone`;
      await c.createQueue({ parent, queue: { name } });
      await c.createQueue({ parent, queue: { name: `${parent}/queues/zz` } });
      await c.deleteQueue({ name });
      expect(await codeOf(c.createQueue({ parent, queue: { name } }))).toEqual({
        code: 9,
        details: 'The queue cannot be created because a queue with this name existed too recently.',
      });
      await c.createQueue({ parent, queue: { name: `${parent}/queues/aa` } });
      const [, , resp] = await c.listQueues({ parent, pageSize: 1 }, { autoPaginate: false });
      expect(
        (
          await codeOf(
            c.listQueues(
              { parent, pageSize: 1, pageToken: resp?.nextPageToken ?? '', filter: 'state: PAUSED' },
              { autoPaginate: false },
            ),
          )
        ).code,
      ).toBe(3);
    } finally {
      await c.close();
      await strict.close();
    }
  });
});

describe('REST details', () => {
  it('accepts string enums, ignores system parameters, and always sends a canonical status', async () => {
    const q = `${parent}/queues/rest`;
    expect(
      (await rest(em.url, 'POST', `/v2/${parent}/queues?$alt=json;enum-encoding=int&$prettyPrint=false`, { name: q }))
        .status,
    ).toBe(200);
    await rest(em.url, 'POST', `/v2/${q}:pause`, {});
    const created = await rest(em.url, 'POST', `/v2/${q}/tasks?alt=json`, {
      task: { httpRequest: { url: target.url, httpMethod: 'PATCH', body: 'aGk=' } },
      responseView: 'FULL',
    });
    expect(created.json.httpRequest).toMatchObject({ httpMethod: 'PATCH', body: 'aGk=' });
    expect(created.json.dispatchDeadline).toBe('600s');
    const missing = await rest(em.url, 'GET', `/v2/${q}/tasks/none`);
    expect(missing).toEqual({
      status: 404,
      json: { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } },
    });
    const dup = await rest(em.url, 'POST', `/v2/${parent}/queues`, { name: q });
    expect(dup.json.error).toEqual({ code: 409, message: 'Queue already exists', status: 'ALREADY_EXISTS' });
    const badDur = await rest(em.url, 'PATCH', `/v2/${q}?updateMask=retryConfig.minBackoff`, {
      retryConfig: { minBackoff: '10' },
    });
    expect(badDur.json.error.status).toBe('INVALID_ARGUMENT');
    const frac = await rest(em.url, 'PATCH', `/v2/${q}?updateMask=retryConfig.minBackoff,retryConfig.maxBackoff`, {
      retryConfig: { minBackoff: '0.250s', maxBackoff: '1.5s' },
    });
    expect(frac.json.retryConfig).toMatchObject({ minBackoff: '0.250s', maxBackoff: '1.500s' });
  });
});
