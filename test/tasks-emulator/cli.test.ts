/** `npm run emulator` flags: --queue-tombstone-ttl and --hold-dispatch (with the control API that releases it). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { startEmulator } from '../../local/tasks-emulator/index.ts';
import { eventually } from '../support/eventually.ts';
import { rest, startTarget } from './support.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const loc = 'projects/storefront-local/locations/us-central1';

/** Starts the CLI; resolves with its URL once it printed its listening line. */
async function cli(args: string[]): Promise<{ url: string; child: ChildProcess; held: boolean }> {
  const child = spawn(process.execPath, ['local/tasks-emulator/main.ts', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  const line = JSON.parse(first.value as string) as { url: string; dispatchHeld: boolean };
  return { url: line.url, child, held: line.dispatchHeld };
}

it('--queue-tombstone-ttl blocks a deleted queue name as Cloud Tasks does (default: free at once)', async () => {
  const blocking = await cli(['--queue-tombstone-ttl', '604800']);
  const q = `${loc}/queues/q1`;
  expect((await rest(blocking.url, 'POST', `/v2/${loc}/queues`, { name: q })).status).toBe(200);
  expect((await rest(blocking.url, 'DELETE', `/v2/${q}`)).status).toBe(200);
  expect((await rest(blocking.url, 'POST', `/v2/${loc}/queues`, { name: q })).json.error).toEqual({
    code: 400,
    status: 'FAILED_PRECONDITION',
    message: 'The queue cannot be created because a queue with this name existed too recently.',
  });
  expect((await rest(blocking.url, 'POST', '/_emulator/clock:advance', { duration: '604800s' })).status).toBe(200);
  expect((await rest(blocking.url, 'POST', `/v2/${loc}/queues`, { name: q })).status).toBe(200);

  const plain = await cli([]);
  expect((await rest(plain.url, 'POST', `/v2/${loc}/queues`, { name: q })).status).toBe(200);
  expect((await rest(plain.url, 'DELETE', `/v2/${q}`)).status).toBe(200);
  expect((await rest(plain.url, 'POST', `/v2/${loc}/queues`, { name: q })).status).toBe(200);
});

it('--hold-dispatch: an overdue task of the last run waits until POST /_emulator/dispatch:release', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tasks-emulator-hold-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const target = await startTarget();
  cleanups.push(target.close);
  const first = await startEmulator({ port: 0, stateDir: dir, holdDispatch: true });
  const q = first.queuePath('warm');
  await rest(first.url, 'POST', `/v2/projects/${first.project}/locations/${first.location}/queues`, { name: q });
  await rest(first.url, 'POST', `/v2/${q}/tasks`, {
    task: { name: `${q}/tasks/overdue`, httpRequest: { url: target.url } },
  });
  expect((await rest(first.url, 'GET', `/v2/${q}/tasks/overdue`)).json.dispatchCount).toBeUndefined();
  await first.close();

  const em = await cli(['--state', dir, '--hold-dispatch']);
  expect(em.held).toBe(true);
  // Overdue tasks are scheduled as the emulator starts (before it prints its line): none was sent.
  expect((await rest(em.url, 'GET', `/v2/${q}/tasks/overdue`)).json.dispatchCount).toBeUndefined();
  expect((await rest(em.url, 'GET', '/_emulator/dispatch')).json).toEqual({ held: true });
  expect((await rest(em.url, 'GET', '/_emulator/dispatches')).json.dispatches).toEqual([]);
  expect((await rest(em.url, 'POST', '/_emulator/dispatch:release', {})).json).toEqual({ held: false });
  await eventually(() => expect(target.received).toHaveLength(1));
  expect(target.received[0]!.headers['x-cloudtasks-taskretrycount']).toBe('0');
  await eventually(async () =>
    expect((await rest(em.url, 'GET', '/_emulator/dispatches')).json.dispatches).toMatchObject([
      { attempt: 1, status: 204, outcome: 'succeeded' },
    ]),
  );
});
