/** The real gcloud CLI (string enums, alt=json, updateMask) against the emulator, in a throw-away config directory. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator } from '../../local/tasks-emulator/index.ts';
import type { Emulator } from '../../local/tasks-emulator/index.ts';
import { eventually } from '../support/eventually.ts';
import { rest, startTarget } from './support.ts';

const run = promisify(execFile);
// Each gcloud call starts Python: seconds each on a busy machine, so these tests get 4 minutes, not vitest's 60 s.
let em: Emulator;
let target: Awaited<ReturnType<typeof startTarget>>;
let config: string;
const L = '--location=us-central1';

/** One gcloud invocation; returns parsed JSON when the command prints any. */
async function gcloud(...args: string[]): Promise<any> {
  const env = {
    ...process.env,
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDTASKS: `${em.url}/`,
    CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'true',
    CLOUDSDK_CORE_PROJECT: 'storefront-local',
  };
  const { stdout } = await run('gcloud', [...args, '--format=json'], { env });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

beforeAll(async () => {
  config = mkdtempSync(join(tmpdir(), 'gcloud-config-'));
  em = await startEmulator({ port: 0 });
  target = await startTarget();
});
afterAll(async () => {
  await em.close();
  await target.close();
  rmSync(config, { recursive: true, force: true });
});

it('creates, updates and describes a queue', { timeout: 240_000 }, async () => {
  await gcloud(
    'tasks',
    'queues',
    'create',
    'gq',
    L,
    '--max-attempts=5',
    '--min-backoff=0.1s',
    '--max-dispatches-per-second=10',
    '--max-concurrent-dispatches=3',
  );
  await gcloud('tasks', 'queues', 'update', 'gq', L, '--max-attempts=7');
  const q = await gcloud('tasks', 'queues', 'describe', 'gq', L);
  expect(q).toMatchObject({
    name: em.queuePath('gq'),
    state: 'RUNNING',
    rateLimits: { maxDispatchesPerSecond: 10, maxConcurrentDispatches: 3, maxBurstSize: 10 },
    retryConfig: { maxAttempts: 7, minBackoff: '0.100s', maxBackoff: '3600s', maxDoublings: 16 },
  });
});

it('pauses, creates an HTTP task with an OIDC token, lists, describes and runs it', { timeout: 240_000 }, async () => {
  await gcloud('tasks', 'queues', 'pause', 'gq', L);
  await gcloud(
    'tasks',
    'create-http-task',
    't1',
    '--queue=gq',
    L,
    `--url=${target.url}/gcloud`,
    '--method=PUT',
    '--body-content=hi',
    '--header=X-A:b',
    '--oidc-service-account-email=sa@storefront-local.iam.gserviceaccount.com',
  );
  const listed = await gcloud('tasks', 'list', '--queue=gq', L);
  expect(listed.map((t: { name: string }) => t.name)).toEqual([`${em.queuePath('gq')}/tasks/t1`]);
  const t = await gcloud('tasks', 'describe', 't1', '--queue=gq', L, '--response-view=full');
  expect(t.httpRequest).toMatchObject({
    httpMethod: 'PUT',
    body: 'aGk=',
    headers: { 'X-A': 'b', 'User-Agent': 'Google-Cloud-Tasks' },
  });
  await gcloud('tasks', 'run', 't1', '--queue=gq', L);
  const [r] = await eventually(() => (target.received.length === 1 ? target.received : false));
  expect(r).toMatchObject({
    method: 'PUT',
    path: '/gcloud',
    headers: { 'x-a': 'b', 'x-cloudtasks-taskname': 't1', authorization: expect.stringMatching(/^Bearer ey/) },
  });
  expect(r!.body.toString()).toBe('hi');
});

it('resumes, purges, deletes a task, deletes and lists queues', { timeout: 240_000 }, async () => {
  await gcloud('tasks', 'queues', 'resume', 'gq', L);
  expect((await rest(em.url, 'GET', `/v2/${em.queuePath('gq')}`)).json.state).toBe('RUNNING');
  const later = new Date(Date.now() + 3600_000).toISOString();
  for (const id of ['t2', 't3'])
    await rest(em.url, 'POST', `/v2/${em.queuePath('gq')}/tasks`, {
      task: { name: `${em.queuePath('gq')}/tasks/${id}`, scheduleTime: later, httpRequest: { url: target.url } },
    });
  await gcloud('tasks', 'delete', 't3', '--queue=gq', L);
  expect((await rest(em.url, 'GET', `/v2/${em.queuePath('gq')}/tasks/t3`)).status).toBe(404);
  await gcloud('tasks', 'queues', 'purge', 'gq', L);
  expect((await rest(em.url, 'GET', `/v2/${em.queuePath('gq')}/tasks`)).json).toEqual({});
  await gcloud('tasks', 'queues', 'create', 'other', L);
  await gcloud('tasks', 'queues', 'delete', 'gq', L);
  const queues = await gcloud('tasks', 'queues', 'list', L);
  expect(queues.map((q: { name: string }) => q.name)).toEqual([em.queuePath('other')]);
});
