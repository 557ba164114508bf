// Outside the emulators, the Firestore and Cloud Tasks clients first obtain Google credentials (shared/credentials.ts).
// A credential that cannot be obtained is a configuration failure that names what to fix, never an outage
// (RetryableError → 503, retried by Cloud Tasks for days). Nothing here reaches Google: the credentials fail first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError, RetryableError } from '../../shared/errors.ts';
import { createFirestore } from '../../shared/firestore.ts';
import { createOrders } from '../../shared/orders.ts';
import { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { createEnqueuer, createTasksClient } from '../../shared/tasks.ts';
import { created } from '../support/events.ts';
import { freePort } from '../support/net.ts';

const VARS = [
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GCE_METADATA_HOST',
  'CLOUDSDK_CONFIG',
  'HOME',
  'FIRESTORE_EMULATOR_HOST',
] as const;
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
let empty: string;
beforeAll(() => {
  empty = mkdtempSync(join(tmpdir(), 'no-credentials-'));
});
afterEach(() => {
  for (const v of VARS) saved[v] === undefined ? delete process.env[v] : (process.env[v] = saved[v]);
});
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** Enqueue and record one event against the real services; both must fail with the configuration error. */
async function failures(): Promise<unknown[]> {
  const enqueue = createEnqueuer({
    client: createTasksClient({}),
    project: 'shop',
    location: 'europe-west1',
    serviceAccount: 'tasks-invoker@shop.iam.gserviceaccount.com',
    schemas: QUEUE_SCHEMAS,
    targets: { notifications: { url: 'https://send-notification-x.a.run.app/' } },
  });
  const orders = createOrders(createFirestore({ projectId: 'shop', databaseId: '(default)' }));
  const e = created('o-cred');
  return Promise.all([
    enqueue('notifications', {
      kind: 'order-confirmation',
      idempotencyKey: e.id,
      eventId: e.id,
      order: (e.data as { order: never }).order,
    }).catch((err: unknown) => err),
    orders.recordEvent(e).catch((err: unknown) => err),
  ]);
}

describe('Google credentials that cannot be obtained', () => {
  it('a GOOGLE_APPLICATION_CREDENTIALS naming a missing file: invalid-config naming the file and the fix', async () => {
    const missing = join(empty, 'key.json');
    process.env.GOOGLE_APPLICATION_CREDENTIALS = missing;
    for (const err of await failures()) {
      expect(err).toBeInstanceOf(AppError);
      expect(err).not.toBeInstanceOf(RetryableError);
      expect(err).toMatchObject({ code: 'invalid-config' });
      expect((err as Error).message).toContain(missing);
      expect((err as Error).message).toMatch(/To fix: .*GOOGLE_APPLICATION_CREDENTIALS.*FIRESTORE_EMULATOR_HOST/);
    }
  });

  it('no credentials anywhere (no key, no gcloud login, no metadata server): invalid-config', async () => {
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.HOME = empty;
    process.env.CLOUDSDK_CONFIG = empty;
    // A metadata server that refuses connections, as off Google Cloud.
    process.env.GCE_METADATA_HOST = `127.0.0.1:${await freePort()}`;
    for (const err of await failures()) {
      expect(err).not.toBeInstanceOf(RetryableError);
      expect(err).toMatchObject({
        code: 'invalid-config',
        message: expect.stringMatching(/Could not load the default credentials.*To fix:/),
      });
    }
  });
});
