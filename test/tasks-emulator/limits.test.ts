/** Rate limits (token bucket), maxConcurrentDispatches, the queue config file and the control API over HTTP. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startEmulator } from '../../local/tasks-emulator/index.ts';
import type { Emulator } from '../../local/tasks-emulator/index.ts';
import { eventually } from '../support/eventually.ts';
import { rest, startTarget } from './support.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function setup(
  queueBody: Record<string, unknown>,
  reply?: Parameters<typeof startTarget>[0],
  clock: 'real' | 'manual' = 'real',
) {
  const em = await startEmulator({ port: 0, clock });
  cleanups.push(em.close);
  const target = await startTarget(reply);
  cleanups.push(target.close);
  const q = em.queuePath('limited');
  expect(
    (
      await rest(em.url, 'POST', `/v2/projects/${em.project}/locations/${em.location}/queues`, {
        name: q,
        ...queueBody,
      })
    ).status,
  ).toBe(200);
  return { em, target, q };
}
const addTasks = async (em: Emulator, q: string, url: string, count: number): Promise<void> => {
  for (let i = 0; i < count; i++) await rest(em.url, 'POST', `/v2/${q}/tasks`, { task: { httpRequest: { url } } });
};

it('never exceeds maxConcurrentDispatches', async () => {
  let inflight = 0;
  let max = 0;
  let received = 0;
  // The target holds each request until another one arrives (or the last one has): a queue that dispatched more
  // at once than allowed would show it here.
  const held: (() => void)[] = [];
  const { em, target, q } = await setup({ rateLimits: { maxConcurrentDispatches: 2 } }, async () => {
    max = Math.max(max, ++inflight);
    received++;
    await new Promise<void>((release) => {
      held.push(release);
      if (held.length >= 2) held.shift()!();
      if (received === 8) for (const r of held.splice(0)) r();
    });
    inflight--;
    return { status: 204 };
  });
  await rest(em.url, 'POST', `/v2/${q}:pause`, {});
  await addTasks(em, q, target.url, 8);
  await rest(em.url, 'POST', `/v2/${q}:resume`, {});
  await eventually(() => expect(target.received).toHaveLength(8));
  await em.waitForIdle();
  expect(max).toBe(2);
});

it('keeps to the token bucket: burst = the rate (here 10), then maxDispatchesPerSecond', async () => {
  // The emulator's clock stands still unless the test moves it, so the bucket refills only when told.
  const { em, target, q } = await setup({ rateLimits: { maxDispatchesPerSecond: 10 } }, undefined, 'manual');
  expect((await rest(em.url, 'GET', `/v2/${q}`)).json.rateLimits).toEqual({
    maxDispatchesPerSecond: 10,
    maxBurstSize: 10,
    maxConcurrentDispatches: 1000,
  });
  await rest(em.url, 'POST', `/v2/${q}:pause`, {});
  await addTasks(em, q, target.url, 25);
  await rest(em.url, 'POST', `/v2/${q}:resume`, {});
  /** Attempts settled so far, once every started attempt has settled. */
  const settled = async (n: number): Promise<void> => {
    await eventually(() => expect(em.dispatches({ queue: q })).toHaveLength(n));
    // Attempts start synchronously (dispatchCount is set as they go out): the queue's remaining tasks show none.
    const left = ((await rest(em.url, 'GET', `/v2/${q}/tasks`)).json.tasks ?? []) as { dispatchCount?: number }[];
    expect(left).toHaveLength(25 - n);
    expect(left.filter((t) => t.dispatchCount)).toEqual([]);
  };
  await settled(10); // the burst goes at once
  em.clock.advance(100); // one token
  await settled(11);
  em.clock.advance(999); // nine tokens and a bit
  await settled(20);
  em.clock.advance(501);
  await settled(25);
  expect(target.received).toHaveLength(25);
  const times = em.dispatches({ queue: q }).map((d) => Date.parse(d.dispatchTime));
  const t0 = times[0]!;
  // At any moment, dispatches so far ≤ burst + rate × elapsed (1 ms slack for timestamp rounding).
  for (const [i, t] of times.entries()) expect(i + 1).toBeLessThanOrEqual(10 + (10 * (t - t0 + 1)) / 1000);
  expect(times.filter((t) => t === t0)).toHaveLength(10);
});

it('creates and updates queues from a queue config file, keeping their state', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tasks-emulator-queues-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'queues.json');
  const entry = {
    name: 'notifications',
    target: 'send-notification',
    rateLimits: { maxDispatchesPerSecond: 10, maxConcurrentDispatches: 20 },
    retryConfig: {
      maxAttempts: 12,
      maxRetryDuration: '86400s',
      minBackoff: '10s',
      maxBackoff: '600s',
      maxDoublings: 5,
    },
  };
  writeFileSync(file, JSON.stringify({ queues: [entry] }));
  const first = await startEmulator({ port: 0, queues: file, stateDir: join(dir, 'state') });
  const name = first.queuePath('notifications');
  expect((await rest(first.url, 'GET', `/v2/${name}`)).json).toMatchObject({
    rateLimits: entry.rateLimits,
    retryConfig: entry.retryConfig,
    state: 'RUNNING',
  });
  await rest(first.url, 'POST', `/v2/${name}:pause`, {});
  await first.close();
  writeFileSync(file, JSON.stringify({ queues: [{ ...entry, retryConfig: { maxAttempts: 3 } }] }));
  const second = await startEmulator({ port: 0, queues: file, stateDir: join(dir, 'state') });
  cleanups.push(second.close);
  expect((await rest(second.url, 'GET', `/v2/${name}`)).json).toMatchObject({
    state: 'PAUSED',
    retryConfig: { maxAttempts: 3, minBackoff: '0.100s', maxDoublings: 16 },
  });
  await expect(
    startEmulator({ port: 0, queues: [{ name: 'x', rateLimits: { maxDispatchesPerSecond: 900 } }] }),
  ).rejects.toThrow(/Queue "x"/);
});

it('serves the control API: dispatch log, clock advance and idle wait over HTTP', async () => {
  const { em, target, q } = await setup({});
  const later = new Date(Date.now() + 600_000).toISOString();
  await rest(em.url, 'POST', `/v2/${q}/tasks`, {
    task: { name: `${q}/tasks/ctl`, scheduleTime: later, httpRequest: { url: target.url } },
  });
  expect((await rest(em.url, 'POST', '/_emulator/idle?timeout=5000')).json).toEqual({ idle: true });
  expect((await rest(em.url, 'GET', '/_emulator/dispatches')).json).toEqual({ dispatches: [] });
  const clock = (await rest(em.url, 'POST', '/_emulator/clock:advance', { duration: '600s' })).json;
  expect(clock.offset).toBe('600s');
  await rest(em.url, 'POST', '/_emulator/idle', {});
  const log = (await rest(em.url, 'GET', '/_emulator/dispatches?task=ctl')).json.dispatches;
  expect(log).toMatchObject([
    {
      task: `${q}/tasks/ctl`,
      attempt: 1,
      status: 204,
      outcome: 'succeeded',
      requestHeaders: { 'X-CloudTasks-TaskName': 'ctl' },
      latencyMs: expect.any(Number),
    },
  ]);
  expect(target.received).toHaveLength(1);
  await rest(em.url, 'DELETE', '/_emulator/dispatches');
  expect((await rest(em.url, 'GET', '/_emulator/dispatches')).json).toEqual({ dispatches: [] });
});

it('lets RunTask through a rate-limited queue at once', async () => {
  const { em, target, q } = await setup({ rateLimits: { maxDispatchesPerSecond: 0.1 } });
  await rest(em.url, 'POST', `/v2/${q}:pause`, {});
  for (const id of ['first', 'second', 'third'])
    await rest(em.url, 'POST', `/v2/${q}/tasks`, {
      task: { name: `${q}/tasks/${id}`, httpRequest: { url: `${target.url}/${id}` } },
    });
  await rest(em.url, 'POST', `/v2/${q}:resume`, {});
  await eventually(() => expect(target.received).toHaveLength(1)); // the burst of 1; the next token is 10 s away
  const waiting = ['first', 'second', 'third'].find((id) => `/${id}` !== target.received[0]!.path)!;
  await rest(em.url, 'POST', `/v2/${q}/tasks/${waiting}:run`, {});
  await eventually(() => expect(target.received.map((r) => r.path)).toContain(`/${waiting}`));
  expect(target.received).toHaveLength(2);
});
