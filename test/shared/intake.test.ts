// The intake core without HTTP: what a storefront adapter calls after verifying and translating. Real Firestore
// emulator and our Cloud Tasks emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../local/tasks-emulator/index.ts';
import { RequestError } from '../../shared/errors.ts';
import { accept, type IntakeDeps } from '../../shared/intake.ts';
import { createLogger } from '../../shared/log.ts';
import { createOrders } from '../../shared/orders.ts';
import { QUEUE_SCHEMAS } from '../../shared/queues.ts';
import { EVENT_TYPES } from '../../shared/schemas/events.ts';
import { createEnqueuer, createTasksClient } from '../../shared/tasks.ts';
import { cancelled, completed, created, shipped } from '../support/events.ts';
import { testFirestore, warmUp } from '../support/firestore.ts';

const { db, projectId } = testFirestore('intake');
let emulator: Emulator;
let deps: IntakeDeps;

beforeAll(async () => {
  await warmUp(db);
  emulator = await startEmulator({ port: 0, project: projectId, location: 'us-central1', queues: 'queues.json' });
  await fetch(`${emulator.url}/v2/${emulator.queuePath('notifications')}:pause`, { method: 'POST', body: '{}' });
  deps = {
    orders: createOrders(db),
    enqueue: createEnqueuer({
      client: createTasksClient({ emulatorHost: `127.0.0.1:${emulator.port}` }),
      project: projectId,
      location: 'us-central1',
      serviceAccount: 'invoker@intake.iam.gserviceaccount.com',
      schemas: QUEUE_SCHEMAS,
      targets: { notifications: { url: 'http://127.0.0.1:9/' } },
    }),
    log: createLogger({ level: 'CRITICAL' }),
  };
});
afterAll(async () => {
  await emulator?.close();
  await db.terminate();
});

/** The names of the tasks in the (paused) notifications queue. */
async function queuedTasks(): Promise<string[]> {
  const res = await fetch(`${emulator.url}/v2/${emulator.queuePath('notifications')}/tasks?pageSize=1000`);
  const body = (await res.json()) as { tasks?: { name: string }[] };
  return (body.tasks ?? []).map((t) => t.name).sort();
}

describe('accept', () => {
  it('records and enqueues an event once, answering a redelivery with its task as duplicate', async () => {
    const first = await accept(created('i-1'), deps);
    expect(first).toEqual({
      eventId: 'evt-created-i-1',
      tasks: [
        { queue: 'notifications', name: expect.stringContaining('/queues/notifications/tasks/'), duplicate: false },
      ],
    });
    expect(await accept(created('i-1'), deps)).toEqual({
      eventId: 'evt-created-i-1',
      tasks: [{ ...first.tasks[0], duplicate: true }],
    });
    expect((await deps.orders.getOrder('i-1'))?.status).toBe('created');
  });

  it('throws a 400 naming every invalid field of the data, writing nothing', async () => {
    const e = cancelled('i-2') as { data: Record<string, unknown> };
    const err = await accept({ ...e, data: { ...e.data, cancelledAt: 'yesterday', reason: 7 } }, deps).catch(
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).details.map((d) => d.path).sort()).toEqual(['data.cancelledAt', 'data.reason']);
    expect(await deps.orders.getOrder('i-2')).toBeUndefined();
  });

  it('answers a ping, storing and enqueueing nothing; a ping with data is invalid', async () => {
    const before = await queuedTasks();
    expect(await accept({ id: 'ping-1', type: 'ping', createdAt: '2026-11-23T10:00:00Z', data: {} }, deps)).toEqual({
      eventId: 'ping-1',
      ping: true,
      tasks: [],
    });
    expect((await db.collection('events').doc('ping-1').get()).exists).toBe(false);
    expect(await queuedTasks()).toEqual(before);
    const err = await accept(
      { id: 'ping-3', type: 'ping', createdAt: '2026-11-23T10:00:00Z', data: { order: {} } },
      deps,
    ).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(RequestError);
  });

  it('ignores a type it does not act on', async () => {
    expect(
      await accept({ id: 'evt-x', type: 'order.refunded', createdAt: '2026-11-23T10:00:00Z', data: {} }, deps),
    ).toEqual({ eventId: 'evt-x', ignored: true, tasks: [] });
  });

  it('records an order.completed without enqueueing anything, once, and the stored status changes', async () => {
    await accept(created('i-3'), deps);
    await accept(shipped('i-3'), deps);
    const tasksBefore = await queuedTasks();
    expect(await accept(completed('i-3'), deps)).toEqual({ eventId: 'evt-completed-i-3', tasks: [] });
    expect(await accept(completed('i-3'), deps)).toEqual({ eventId: 'evt-completed-i-3', tasks: [] });
    expect(await queuedTasks()).toEqual(tasksBefore);
    expect(await deps.orders.getOrder('i-3')).toMatchObject({
      status: 'completed',
      statusAt: { created: expect.any(String), shipped: expect.any(String), completed: '2026-11-23T13:00:00Z' },
    });
    expect((await db.collection('events').doc('evt-completed-i-3').get()).data()).toMatchObject({
      type: 'order.completed',
      orderId: 'i-3',
      tasks: [],
    });
  });

  it('knows the types of the event union', () => {
    expect(EVENT_TYPES).toEqual(['order.created', 'order.shipped', 'order.cancelled', 'order.completed']);
  });
});
