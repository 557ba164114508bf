// `npm run dead-letters`: where its settings come from (a real project, or the running dev stack through the one
// settings table), the message when there is neither, and `list` needing no Cloud Tasks settings.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { StackInfo } from '../../local/stack-file.ts';
import { NO_STACK, runDeadLetters, settings } from '../../ops/dead-letters.ts';

const dir = mkdtempSync(join(tmpdir(), 'dead-letters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stackJson = (runnerPid: number): string => {
  const file = join(dir, `stack-${runnerPid}.json`);
  const fn = (url: string, access: 'public' | 'task-target') => ({
    url,
    port: 1,
    access,
    ...(access === 'public' ? {} : { audience: `${url}aud` }),
    acceptsServiceAccounts: [],
    queues: [],
    pid: 1,
  });
  const info = {
    version: 1,
    startedAt: '',
    readyAfterMs: 0,
    stateDir: dir,
    project: 'storefront-local',
    location: 'us-central1',
    runner: { pid: runnerPid },
    functions: {
      'storefront-webhook': fn('http://127.0.0.1:8080/', 'public'),
      'send-notification': fn('http://127.0.0.1:8081/', 'task-target'),
    },
    tasksEmulator: {
      url: 'http://127.0.0.1:8123',
      host: '127.0.0.1:8123',
      issuer: 'http://127.0.0.1:8123',
      jwksUrl: 'http://127.0.0.1:8123/oauth2/v3/certs',
      queues: {},
      dispatchesUrl: '',
      pid: 1,
    },
    firestore: { host: '127.0.0.1:8085', restUrl: '', pid: 1 },
    mailSink: { url: 'http://127.0.0.1:8025', outboxUrl: '', outboxDir: '', apiKey: 'SG.local.x', pid: 1 },
    webhook: { url: 'http://127.0.0.1:8080/', secret: 'whsec_local_x', header: 'X-Storefront-Signature' },
    serviceAccounts: {
      tasksInvoker: 'tasks-invoker@storefront-local.iam.gserviceaccount.com',
      schedulerInvoker: 'scheduler-invoker@storefront-local.iam.gserviceaccount.com',
    },
    processGroups: [],
  } satisfies StackInfo;
  writeFileSync(file, JSON.stringify(info));
  return file;
};

describe('npm run dead-letters', () => {
  it('without a running stack or a project, says so and how to start one', async () => {
    const lines: string[] = [];
    const missing = join(dir, 'none.json');
    await expect(
      runDeadLetters(
        ['list'],
        () => settings({}, missing),
        (l) => lines.push(l),
      ),
    ).rejects.toThrow(NO_STACK);
    expect(NO_STACK).toBe(
      'no dev stack is running here; start it with npm run dev, or set GOOGLE_CLOUD_PROJECT for a real project',
    );
    // A stack.json left by a runner that is gone counts as no stack.
    const dead = stackJson(2 ** 22 + 1);
    expect(() => settings({}, dead)).toThrow(NO_STACK);
    expect(lines).toEqual([]);
  });

  it('takes the running stack’s settings through the settings table; the environment wins', () => {
    const env = settings({ LOG_LEVEL: 'DEBUG' }, stackJson(process.pid));
    expect(env).toMatchObject({
      GOOGLE_CLOUD_PROJECT: 'storefront-local',
      TASKS_LOCATION: 'us-central1',
      TASKS_INVOKER_SERVICE_ACCOUNT: 'tasks-invoker@storefront-local.iam.gserviceaccount.com',
      CLOUD_TASKS_EMULATOR_HOST: '127.0.0.1:8123',
      FIRESTORE_EMULATOR_HOST: '127.0.0.1:8085',
      SEND_NOTIFICATION_URL: 'http://127.0.0.1:8081/',
      SEND_NOTIFICATION_AUDIENCE: 'http://127.0.0.1:8081/aud',
      LOG_LEVEL: 'DEBUG',
    });
    expect(env).not.toHaveProperty('STOREFRONT_WEBHOOK_URL');
    expect(settings({ GOOGLE_CLOUD_PROJECT: 'real' }, stackJson(process.pid))).toEqual({
      GOOGLE_CLOUD_PROJECT: 'real',
    });
  });

  it('list needs only the project and Firestore, not the Cloud Tasks settings', async () => {
    const lines: string[] = [];
    const env = {
      GOOGLE_CLOUD_PROJECT: `dead-letters-${process.pid}`,
      FIRESTORE_EMULATOR_HOST: inject('firestoreHost'),
    };
    expect(await runDeadLetters(['list'], env, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual(['No dead letters.']);
  });
});
