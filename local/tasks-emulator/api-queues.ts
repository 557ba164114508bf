/** Locations and queues: the Cloud Tasks v2 RPCs that act on them. */
import { apiError, MESSAGES, invalid } from './errors.ts';
import type { ApiContext } from './api-context.ts';
import { parseLocationName, parseQueueName } from './names.ts';
import { pageSizeOf, paginate } from './paging.ts';
import { applyQueueInput, defaultQueue, maskPaths, renderQueue } from './queue-config.ts';
import type { QueueRecord, QueueState } from './queue-config.ts';

type Json = Record<string, unknown>;

const location = (name: string): Json => {
  const { location: id } = parseLocationName(name);
  return { name, locationId: id, labels: { 'cloud.googleapis.com/region': id } };
};

/** ListLocations: the default location plus every location that holds a queue of the project. */
export function listLocations(ctx: ApiContext, project: string): Json {
  const ids = new Set([
    ctx.location,
    ...ctx.store
      .queues()
      .map((q) => parseQueueName(q.name))
      .filter((n) => n.project === project)
      .map((n) => n.location),
  ]);
  return { locations: [...ids].sort().map((id) => location(`projects/${project}/locations/${id}`)) };
}

/** GetLocation: any well-formed location exists. */
export const getLocation = (_ctx: ApiContext, name: string): Json => location(name);

function mustGet(ctx: ApiContext, name: string, message: string = MESSAGES.queueMissing): QueueRecord {
  parseQueueName(name);
  const q = ctx.store.getQueue(name);
  if (!q) throw apiError('NOT_FOUND', message);
  return q;
}

/** CreateQueue. */
export function createQueue(ctx: ApiContext, parent: string, body: Json): Json {
  parseLocationName(parent);
  const name = typeof body.name === 'string' ? body.name : '';
  const { project, location: loc } = parseQueueName(name);
  if (`projects/${project}/locations/${loc}` !== parent)
    throw invalid(`The queue name ('${name}') must be in the parent ('${parent}').`);
  if (ctx.store.getQueue(name)) throw apiError('ALREADY_EXISTS', MESSAGES.queueExists);
  if (ctx.store.queueTombstoned(name, ctx.clock.now())) throw apiError('FAILED_PRECONDITION', MESSAGES.queueTooRecent);
  const q = applyQueueInput(defaultQueue(name), body, maskPaths(undefined));
  ctx.store.putQueue(q);
  ctx.scheduler.queueChanged(name);
  return renderQueue(q);
}

/** GetQueue. */
export const getQueue = (ctx: ApiContext, name: string): Json => renderQueue(mustGet(ctx, name));

/** ListQueues with pageSize (≤ 9800), pageToken and a `state: X` filter, in name order. */
export function listQueues(ctx: ApiContext, parent: string, query: URLSearchParams): Json {
  parseLocationName(parent);
  const filter = (query.get('filter') ?? '').trim();
  let state: QueueState | undefined;
  if (filter) {
    const m = /^state\s*[:=]\s*"?(RUNNING|PAUSED|DISABLED)"?$/i.exec(filter);
    if (!m)
      throw invalid(
        `Invalid filter: "${filter}". Only "state: RUNNING", "state: PAUSED" or "state: DISABLED" is supported.`,
      );
    state = m[1]!.toUpperCase() as QueueState;
  }
  const all = ctx.store.queues().filter((q) => q.name.startsWith(`${parent}/queues/`) && (!state || q.state === state));
  all.sort((a, b) => (a.name < b.name ? -1 : 1));
  const token = query.get('pageToken');
  const { page, nextPageToken } = paginate(all, (q) => q.name, {
    pageSize: pageSizeOf(query.get('pageSize'), 9800),
    ...(token ? { pageToken: token } : {}),
    context: `${parent}|${filter}`,
  });
  return { ...(page.length ? { queues: page.map(renderQueue) } : {}), ...(nextPageToken ? { nextPageToken } : {}) };
}

/** UpdateQueue (PATCH): applies the masked fields, creating the queue if it does not exist. */
export function updateQueue(ctx: ApiContext, name: string, body: Json, updateMask: string | undefined): Json {
  parseQueueName(name);
  if (typeof body.name === 'string' && body.name !== '' && body.name !== name)
    throw invalid(`The queue name in the body ('${body.name}') must match the name in the URL ('${name}').`);
  const existing = ctx.store.getQueue(name);
  if (!existing && ctx.store.queueTombstoned(name, ctx.clock.now()))
    throw apiError('FAILED_PRECONDITION', MESSAGES.queueTooRecent);
  const q = applyQueueInput(existing ?? defaultQueue(name), body, maskPaths(updateMask));
  ctx.store.putQueue(q);
  ctx.scheduler.queueChanged(name);
  return renderQueue(q);
}

/** DeleteQueue: removes the queue and its tasks; the name stays blocked for `queueTombstoneMs`. */
export function deleteQueue(ctx: ApiContext, name: string): Json {
  mustGet(ctx, name, MESSAGES.notFound);
  ctx.store.deleteQueue(name, ctx.queueTombstoneMs > 0 ? ctx.clock.now() + ctx.queueTombstoneMs : undefined);
  ctx.scheduler.queueChanged(name);
  return {};
}

function setState(ctx: ApiContext, name: string, state: QueueState): Json {
  const q = { ...mustGet(ctx, name), state };
  ctx.store.putQueue(q);
  ctx.scheduler.queueChanged(name);
  return renderQueue(q);
}

/** PauseQueue: tasks are still accepted, none is dispatched (RunTask still works). */
export const pauseQueue = (ctx: ApiContext, name: string): Json => setState(ctx, name, 'PAUSED');
/** ResumeQueue: from PAUSED or DISABLED to RUNNING. */
export const resumeQueue = (ctx: ApiContext, name: string): Json => setState(ctx, name, 'RUNNING');

/** PurgeQueue: deletes (and tombstones) every task created before now; sets purgeTime. Takes effect at once. */
export function purgeQueue(ctx: ApiContext, name: string): Json {
  const now = ctx.clock.now();
  const q = { ...mustGet(ctx, name), purgeTime: now };
  for (const t of ctx.store.tasksOf(name))
    if (t.createdAt <= now) ctx.store.deleteTask(t.name, ctx.clock.now() + ctx.tombstoneMs);
  ctx.store.putQueue(q);
  return renderQueue(q);
}
