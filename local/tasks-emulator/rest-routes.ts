/** Maps Cloud Tasks v2 REST paths and verbs (reference §5.1) to the RPC handlers. */
import type { ApiContext } from './api-context.ts';
import * as queues from './api-queues.ts';
import * as tasks from './api-tasks.ts';
import { apiError } from './errors.ts';

type Json = Record<string, unknown>;
/** An RPC handler bound to its path captures. */
type Handler = (ctx: ApiContext, m: RegExpExecArray, body: Json, query: URLSearchParams) => Json;

const P = '(projects/[^/]+/locations/[^/]+)';
const Q = `(${P.slice(1, -1)}/queues/[^/:]+)`;
const T = `(${Q.slice(1, -1)}/tasks/[^/:]+)`;

const ROUTES: [string, RegExp, Handler][] = [
  ['GET', /^projects\/([^/]+)\/locations$/, (c, m) => queues.listLocations(c, m[1]!)],
  ['GET', new RegExp(`^${P}$`), (c, m) => queues.getLocation(c, m[1]!)],
  ['GET', new RegExp(`^${P}/queues$`), (c, m, _b, q) => queues.listQueues(c, m[1]!, q)],
  ['POST', new RegExp(`^${P}/queues$`), (c, m, b) => queues.createQueue(c, m[1]!, b)],
  ['GET', new RegExp(`^${Q}$`), (c, m) => queues.getQueue(c, m[1]!)],
  [
    'PATCH',
    new RegExp(`^${Q}$`),
    (c, m, b, q) => queues.updateQueue(c, m[1]!, b, q.get('updateMask') ?? q.get('update_mask') ?? undefined),
  ],
  ['DELETE', new RegExp(`^${Q}$`), (c, m) => queues.deleteQueue(c, m[1]!)],
  ['POST', new RegExp(`^${Q}:pause$`), (c, m) => queues.pauseQueue(c, m[1]!)],
  ['POST', new RegExp(`^${Q}:resume$`), (c, m) => queues.resumeQueue(c, m[1]!)],
  ['POST', new RegExp(`^${Q}:purge$`), (c, m) => queues.purgeQueue(c, m[1]!)],
  ['POST', new RegExp(`^${Q}:getIamPolicy$`), (c, m) => (queues.getQueue(c, m[1]!), { etag: 'ACAB' })],
  ['POST', new RegExp(`^${Q}:setIamPolicy$`), (c, m, b) => (queues.getQueue(c, m[1]!), (b.policy as Json) ?? {})],
  [
    'POST',
    new RegExp(`^${Q}:testIamPermissions$`),
    (c, m, b) => (queues.getQueue(c, m[1]!), { permissions: b.permissions ?? [] }),
  ],
  ['GET', new RegExp(`^${Q}/tasks$`), (c, m, _b, q) => tasks.listTasks(c, m[1]!, q)],
  ['POST', new RegExp(`^${Q}/tasks$`), (c, m, b) => tasks.createTask(c, m[1]!, b)],
  ['GET', new RegExp(`^${T}$`), (c, m, _b, q) => tasks.getTask(c, m[1]!, q)],
  ['DELETE', new RegExp(`^${T}$`), (c, m) => tasks.deleteTask(c, m[1]!)],
  ['POST', new RegExp(`^${T}:run$`), (c, m, b) => tasks.runTask(c, m[1]!, b)],
];

/** Runs the RPC for `method` + `path` (the part after `/v2/`, already URL-decoded). */
export function routeRest(ctx: ApiContext, method: string, path: string, body: Json, query: URLSearchParams): Json {
  let pathMatched = false;
  for (const [verb, re, handler] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (verb === method) return handler(ctx, m, body, query);
  }
  if (pathMatched) throw apiError('UNIMPLEMENTED', `Method ${method} is not allowed on /v2/${path}.`);
  throw apiError('NOT_FOUND', `The requested URL /v2/${path} was not found on this server.`);
}
