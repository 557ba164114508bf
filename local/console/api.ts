/**
 * The console's JSON API under `/api/`: each route reads or acts through the tasks emulator (REST v2 and control
 * API), the mail sink's outbox or Firestore, and answers JSON. Bad input is a 400 naming the field.
 */
import type { AttemptFeed } from './attempts.ts';
import type { FirestoreData } from './firestore-data.ts';
import { orderTimeline, runTimeline } from './timeline.ts';
import { UpstreamError, type MailApi, type TasksApi } from './upstream.ts';

type Json = Record<string, any>;
export interface ApiDeps {
  tasks: TasksApi;
  mail: MailApi;
  data: FirestoreData;
  attempts: AttemptFeed;
}
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: () => Promise<Json>;
}
type Handler = (d: ApiDeps, m: string[], r: ApiRequest) => Promise<unknown>;

const QUEUE = '([A-Za-z0-9-]{1,100})';
const TASK = '([A-Za-z0-9_-]{1,500})';
const ID = '([^/]{1,500})';
const bad = (message: string) => new UpstreamError(400, message);
const short = (name: string): string => name.split('/').pop() ?? name;

/** Counts a queue's tasks by paging through them (the REST API has no count); cached for a moment. */
const countCache = new WeakMap<TasksApi, Map<string, { at: number; value: Promise<number> }>>();
function countTasks(tasks: TasksApi, queue: string): Promise<number> {
  const counts = countCache.get(tasks) ?? countCache.set(tasks, new Map()).get(tasks)!;
  const hit = counts.get(queue);
  if (hit && Date.now() - hit.at < 1500) return hit.value;
  const value = (async () => {
    let n = 0;
    let pageToken: string | undefined;
    do {
      const page = await tasks.listTasks(queue, { pageSize: 1000, pageToken });
      n += (page.tasks ?? []).length;
      pageToken = page.nextPageToken;
    } while (pageToken);
    return n;
  })();
  counts.set(queue, { at: Date.now(), value });
  return value;
}
const forget = (tasks: TasksApi, queue: string) => countCache.get(tasks)?.delete(queue);

function decodeBody(task: Json): Json {
  const raw = task.httpRequest?.body;
  if (typeof raw !== 'string') return task;
  const text = Buffer.from(raw, 'base64').toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { ...task, bodyText: text, ...(json !== undefined ? { bodyJson: json } : {}) };
}

function pageSize(query: URLSearchParams): number {
  const raw = query.get('pageSize') ?? '50';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw bad(`pageSize must be an integer from 1 to 500, got "${raw}"`);
  return n;
}

const ROUTES: [string, RegExp, Handler][] = [
  [
    'GET',
    /^queues$/,
    async (d) => {
      const [queues, perSecond] = [await d.tasks.listQueues(), d.attempts.perSecond()];
      return {
        queues: await Promise.all(
          queues.map(async (q) => {
            const id = short(q.name);
            const series = perSecond[id] ?? new Array(60).fill(0);
            return {
              id,
              ...q,
              tasks: await countTasks(d.tasks, id),
              perSecond: series,
              dispatchesPerSecond: series.reduce((a, b) => a + b, 0) / 60,
            };
          }),
        ),
      };
    },
  ],
  [
    'POST',
    new RegExp(`^queues/${QUEUE}/(pause|resume|purge)$`),
    async (d, [q, action]) => {
      forget(d.tasks, q!);
      return d.tasks.queueAction(q!, action as 'pause' | 'resume' | 'purge');
    },
  ],
  [
    'GET',
    new RegExp(`^queues/${QUEUE}/tasks$`),
    async (d, [q], r) => {
      const page = await d.tasks.listTasks(q!, {
        pageSize: pageSize(r.query),
        pageToken: r.query.get('pageToken') ?? undefined,
      });
      return {
        tasks: (page.tasks ?? []).map((t: Json) => ({ ...t, id: short(t.name) })),
        nextPageToken: page.nextPageToken,
        total: await countTasks(d.tasks, q!),
      };
    },
  ],
  [
    'GET',
    new RegExp(`^queues/${QUEUE}/tasks/${TASK}$`),
    async (d, [q, t]) => {
      const attempts = await d.tasks.dispatches({ queue: q!, task: t! });
      const task = await d.tasks.getTask(q!, t!).catch((err: unknown) => {
        if (err instanceof UpstreamError && err.status === 404 && attempts.length) return undefined; // done or deleted: its attempts remain
        throw err;
      });
      return { task: task && { ...decodeBody(task), id: t }, attempts };
    },
  ],
  ['POST', new RegExp(`^queues/${QUEUE}/tasks/${TASK}/run$`), async (d, [q, t]) => d.tasks.runTask(q!, t!)],
  [
    'DELETE',
    new RegExp(`^queues/${QUEUE}/tasks/${TASK}$`),
    async (d, [q, t]) => (forget(d.tasks, q!), d.tasks.deleteTask(q!, t!)),
  ],
  [
    'GET',
    /^attempts$/,
    async (d, _m, r) => {
      const since = r.query.get('since');
      if (since !== null && !/^\d+$/.test(since))
        throw bad(`since must be an attempt seq (a whole number), got "${since}"`);
      return {
        attempts: d.attempts.list({
          queue: r.query.get('queue') || undefined,
          outcome: r.query.get('outcome') || undefined,
          since: since === null ? undefined : Number(since),
          limit: 200,
        }),
      };
    },
  ],
  [
    'GET',
    /^dead-letters$/,
    async (d, _m, r) => ({
      deadLetters: (
        await d.data.deadLetters.list({
          limit: 1000,
          ...(r.query.get('queue') ? { queue: r.query.get('queue')! } : {}),
        })
      ).reverse(),
    }),
  ],
  [
    'GET',
    new RegExp(`^dead-letters/${ID}$`),
    async (d, [id]) => {
      const letter = await d.data.deadLetters.get(id!);
      if (!letter) throw new UpstreamError(404, `No dead letter ${id}`);
      return letter;
    },
  ],
  [
    'POST',
    /^dead-letters\/redrive$/,
    async (d, _m, r) => {
      const body = await r.body();
      if (body.id !== undefined && (typeof body.id !== 'string' || !body.id))
        throw bad('id must be a dead letter id (a string), or left out to redrive all');
      if (body.id !== undefined && !(await d.data.deadLetters.get(body.id)))
        throw new UpstreamError(404, `No dead letter ${body.id}`);
      return d.data.redrive(body.id);
    },
  ],
  [
    'GET',
    /^outbox$/,
    async (d) => ({
      messages: (await d.mail.list()).reverse().map(({ id, seq, receivedAt, to, from, subject, templateId }) => ({
        id,
        seq,
        receivedAt,
        to,
        from,
        subject,
        templateId,
      })),
    }),
  ],
  ['GET', new RegExp(`^outbox/${ID}$`), async (d, [id]) => d.mail.get(id!)],
  ['GET', new RegExp(`^orders/${ID}$`), async (d, [id]) => orderView(d, id!)],
  ['GET', /^reports$/, async (d) => ({ reports: await d.data.reports() })],
  [
    'GET',
    new RegExp(`^runs/${ID}/${ID}$`),
    async (d, [day, run]) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day!)) throw bad(`day must be a date (YYYY-MM-DD), got "${day}"`);
      if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(run!))
        throw bad(`run must be a run id (1-40 lowercase letters, digits or -), got "${run}"`);
      const timeline = await runTimeline(d, day!, run!);
      if (!timeline) throw new UpstreamError(404, `No report run ${day}/${run}`);
      return timeline;
    },
  ],
];

/** An order with its events, the tasks those events enqueued (with their attempts), its emails and its timeline. */
async function orderView(d: ApiDeps, id: string): Promise<Json> {
  const { order, events } = await d.data.order(id);
  if (!order && !events.length) throw new UpstreamError(404, `No order ${id}`);
  const eventIds = new Set(events.map((e) => e.eventId));
  const tasks = await Promise.all(
    events
      .flatMap((e) => e.tasks ?? [])
      .map(async (t) => {
        const attempts = await d.tasks.dispatches({ task: t.name });
        const live = await d.tasks.getTask(short(t.queue), short(t.name)).catch(() => undefined);
        return {
          queue: short(t.queue),
          id: short(t.name),
          name: t.name,
          state: live ? 'queued' : 'done or deleted',
          attempts: attempts.map(({ attempt, status, outcome, latencyMs, dispatchTime }) => ({
            attempt,
            status,
            outcome,
            latencyMs,
            dispatchTime,
          })),
        };
      }),
  );
  const messages = await d.mail.list();
  const emails = messages
    .filter((m) => {
      const args = { ...m.request?.custom_args, ...m.request?.personalizations?.[0]?.custom_args };
      return eventIds.has(args.eventId) || String(args.idempotencyKey ?? '').includes(id);
    })
    .map(({ id: mid, receivedAt, to, subject }) => ({ id: mid, receivedAt, to, subject }));
  return { order, events, tasks, emails, timeline: await orderTimeline(d, id) };
}

/** Runs the route for `r`; throws UpstreamError (with the status to answer) when there is none or it fails. */
export async function routeApi(deps: ApiDeps, r: ApiRequest): Promise<unknown> {
  let matched = false;
  for (const [verb, re, handler] of ROUTES) {
    const m = re.exec(r.path);
    if (!m) continue;
    matched = true;
    if (verb === r.method)
      return handler(
        deps,
        m.slice(1).map((s) => decodeURIComponent(s)),
        r,
      );
  }
  throw new UpstreamError(
    matched ? 405 : 404,
    matched ? `${r.method} is not allowed on /api/${r.path}` : `No API /api/${r.path}`,
  );
}
