/** Tasks: the Cloud Tasks v2 RPCs that act on them. */
import type { ApiContext } from './api-context.ts';
import { apiError, invalid, MESSAGES } from './errors.ts';
import { generateTaskId, parseQueueName, parseTaskName } from './names.ts';
import { pageSizeOf, paginate } from './paging.ts';
import { parseEnum } from './proto-json.ts';
import { buildTask, renderTask, VIEWS } from './task-model.ts';
import type { TaskRecord, View } from './task-model.ts';

type Json = Record<string, unknown>;

const viewOf = (v: unknown): View =>
  v === undefined || v === null || v === '' ? 'BASIC' : parseEnum(v, VIEWS, 'response_view');

function queueOf(ctx: ApiContext, parent: string): void {
  parseQueueName(parent);
  if (!ctx.store.getQueue(parent)) throw apiError('NOT_FOUND', MESSAGES.queueMissing);
}

function mustGet(ctx: ApiContext, name: string): TaskRecord {
  parseTaskName(name);
  const t = ctx.store.getTask(name);
  if (t) return t;
  throw apiError('NOT_FOUND', ctx.store.tombstoned(name, ctx.clock.now()) ? MESSAGES.taskGone : MESSAGES.notFound);
}

/** CreateTask: validates, de-duplicates by name (live task or tombstone), stores, schedules. */
export function createTask(ctx: ApiContext, parent: string, body: Json): Json {
  queueOf(ctx, parent);
  const input = (body.task ?? {}) as Json;
  let name = `${parent}/tasks/${generateTaskId()}`;
  if (typeof input.name === 'string' && input.name !== '') {
    const { queue } = parseTaskName(input.name);
    // Cloud Tasks names the named task's queue here, not the task (reference §4.3).
    if (queue !== parent)
      throw invalid(
        `The queue name from request ('${parent}') must be the same as the queue name in the named task ('${queue}').`,
      );
    name = input.name;
    if (ctx.store.getTask(name)) throw apiError('ALREADY_EXISTS', MESSAGES.alreadyExists);
    if (ctx.store.tombstoned(name, ctx.clock.now())) throw apiError('ALREADY_EXISTS', MESSAGES.taskTooRecent);
  }
  const view = viewOf(body.responseView);
  const task = buildTask(input, name, parent, ctx.clock.now());
  ctx.store.putTask(task);
  const created = renderTask(task, view); // as created: the first attempt may start within schedule()
  ctx.scheduler.schedule(task);
  return created;
}

/** GetTask (responseView BASIC by default). */
export const getTask = (ctx: ApiContext, name: string, query: URLSearchParams): Json =>
  renderTask(mustGet(ctx, name), viewOf(query.get('responseView') ?? undefined));

/** ListTasks: pageSize ≤ 1000, pageToken; ordered by name. */
export function listTasks(ctx: ApiContext, parent: string, query: URLSearchParams): Json {
  queueOf(ctx, parent);
  const view = viewOf(query.get('responseView') ?? undefined);
  const all = ctx.store.tasksOf(parent).sort((a, b) => (a.name < b.name ? -1 : 1));
  const token = query.get('pageToken');
  const { page, nextPageToken } = paginate(all, (t) => t.name, {
    pageSize: pageSizeOf(query.get('pageSize'), 1000),
    ...(token ? { pageToken: token } : {}),
    context: parent,
  });
  return {
    ...(page.length ? { tasks: page.map((t) => renderTask(t, view)) } : {}),
    ...(nextPageToken ? { nextPageToken } : {}),
  };
}

/** DeleteTask: a live task only; its name is then tombstoned. */
export function deleteTask(ctx: ApiContext, name: string): Json {
  parseTaskName(name);
  if (!ctx.store.getTask(name)) throw apiError('NOT_FOUND', MESSAGES.notFound);
  ctx.store.deleteTask(name, ctx.clock.now() + ctx.tombstoneMs);
  return {};
}

/** RunTask: dispatches now, ignoring pause and rate limits; returns the task once the attempt has started. */
export function runTask(ctx: ApiContext, name: string, body: Json): Json {
  const task = mustGet(ctx, name);
  const view = viewOf(body.responseView);
  ctx.scheduler.runNow(task);
  return renderTask(ctx.store.getTask(name) ?? task, view);
}
