/** State survives a restart and a kill -9; corrupt or foreign state gives a clear error. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const stateDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tasks-emulator-state-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

it('keeps queues, tasks, tombstones and the signing key across a clean restart', async () => {
  const dir = stateDir();
  const target = await startTarget();
  cleanups.push(target.close);
  const first = await startEmulator({ port: 0, stateDir: dir });
  const q = first.queuePath('kept');
  await rest(first.url, 'POST', `/v2/projects/${first.project}/locations/${first.location}/queues`, {
    name: q,
    retryConfig: { maxAttempts: 5 },
  });
  await rest(first.url, 'POST', `/v2/${q}:pause`, {});
  const created = await rest(first.url, 'POST', `/v2/${q}/tasks`, {
    task: { name: `${q}/tasks/t1`, httpRequest: { url: target.url, body: 'aGk=' } },
    responseView: 'FULL',
  });
  await rest(first.url, 'POST', `/v2/${q}/tasks`, {
    task: { name: `${q}/tasks/gone`, httpRequest: { url: target.url } },
  });
  await rest(first.url, 'DELETE', `/v2/${q}/tasks/gone`);
  const kid = (await rest(first.url, 'GET', '/oauth2/v3/certs')).json.keys[0].kid;
  await first.close();

  const second = await startEmulator({ port: 0, stateDir: dir });
  cleanups.push(second.close);
  const queue = (await rest(second.url, 'GET', `/v2/${q}`)).json;
  expect(queue).toMatchObject({ state: 'PAUSED', retryConfig: { maxAttempts: 5 } });
  expect((await rest(second.url, 'GET', `/v2/${q}/tasks/t1?responseView=FULL`)).json).toEqual(created.json);
  expect((await rest(second.url, 'GET', `/v2/${q}/tasks/gone`)).json.error.message).toMatch(/existed recently/);
  expect((await rest(second.url, 'GET', '/oauth2/v3/certs')).json.keys[0].kid).toBe(kid);
});

it('loses no created task to kill -9 and dispatches again the task that was in flight', async () => {
  const dir = stateDir();
  const target = await startTarget((_r, i) => (i === 1 ? 'hang' : { status: 204 }));
  cleanups.push(target.close);
  const child = spawn(process.execPath, ['local/tasks-emulator/main.ts', '--port', '0', '--state', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
  const [line] = await createInterface({ input: child.stdout! })
    [Symbol.asyncIterator]()
    .next()
    .then((r) => [r.value as string]);
  const url = JSON.parse(line!).url as string;
  const loc = 'projects/storefront-local/locations/us-central1';
  await rest(url, 'POST', `/v2/${loc}/queues`, { name: `${loc}/queues/held` });
  await rest(url, 'POST', `/v2/${loc}/queues/held:pause`, {});
  await rest(url, 'POST', `/v2/${loc}/queues`, { name: `${loc}/queues/live` });
  const names: string[] = [];
  for (let i = 0; i < 50; i++)
    names.push(
      (await rest(url, 'POST', `/v2/${loc}/queues/held/tasks`, { task: { httpRequest: { url: target.url } } })).json
        .name,
    );
  await rest(url, 'POST', `/v2/${loc}/queues/live/tasks`, {
    task: { name: `${loc}/queues/live/tasks/inflight`, httpRequest: { url: `${target.url}/inflight` } },
  });
  await eventually(() => expect(target.received).toHaveLength(1));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));

  const em = await startEmulator({ port: 0, stateDir: dir }); // takes over the dead process's lock
  cleanups.push(em.close);
  const listed = (await rest(em.url, 'GET', `/v2/${loc}/queues/held/tasks`)).json.tasks.map(
    (t: { name: string }) => t.name,
  );
  expect(listed.sort()).toEqual(names.sort());
  await eventually(() => expect(target.received.map((r) => r.path)).toEqual(['/inflight', '/inflight']));
  expect(target.received[1]!.headers['x-cloudtasks-taskretrycount']).toBe('1');
});

it('refuses corrupt or foreign state with a clear error, and a directory another emulator uses', async () => {
  const dir = stateDir();
  writeFileSync(join(dir, 'state.json'), '{"format": "something-else", "version": 1}');
  await expect(startEmulator({ port: 0, stateDir: dir })).rejects.toThrow(/is not a tasks emulator state file/);
  writeFileSync(join(dir, 'state.json'), '{not json');
  await expect(startEmulator({ port: 0, stateDir: dir })).rejects.toThrow(/is corrupt/);
  const cli = spawn(process.execPath, ['local/tasks-emulator/main.ts', '--port', '0', '--state', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  cli.stderr!.on('data', (c) => (stderr += c));
  expect(await new Promise((r) => cli.once('close', r))).toBe(1);
  expect(stderr).toMatch(/tasks emulator: State file .* is corrupt/);

  const fresh = stateDir();
  const em = await startEmulator({ port: 0, stateDir: fresh });
  cleanups.push(em.close);
  await expect(startEmulator({ port: 0, stateDir: fresh })).rejects.toThrow(/already in use/);
});

it('takes over the state of an emulator killed with kill -9 that nobody reaped (a zombie)', async () => {
  const dir = stateDir();
  // `sh` starts the emulator in the background, prints its pid, then becomes `sleep`, which never reaps it.
  const parent = spawn(
    'sh',
    ['-c', `${process.execPath} local/tasks-emulator/main.ts --port 0 --state ${dir} & echo $!; exec sleep 600`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.push(() => parent.exitCode === null && parent.kill('SIGKILL'));
  const lines = createInterface({ input: parent.stdout! })[Symbol.asyncIterator]();
  const pid = Number((await lines.next()).value);
  JSON.parse((await lines.next()).value as string); // listening, so the lock is taken
  await expect(startEmulator({ port: 0, stateDir: dir })).rejects.toThrow(`in use by another emulator (pid ${pid})`);
  process.kill(pid, 'SIGKILL');
  await eventually(() => expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0]).toBe('Z'));

  const em = await startEmulator({ port: 0, stateDir: dir });
  cleanups.push(em.close);
  expect((await rest(em.url, 'GET', '/_emulator/health')).json).toEqual({ ok: true });
});
