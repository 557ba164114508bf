/** BufferTask (REST only): a task made from a raw HTTP body, sent to the queue's httpTarget (reference §3.5, §5.1). */
import type { ApiContext } from './api-context.ts';
import { createTask } from './api-tasks.ts';
import { apiError, MESSAGES } from './errors.ts';
import { parseQueueName } from './names.ts';

type Json = Record<string, any>;

function targetUrl(u: Json | undefined): string {
  if (!u?.host)
    throw apiError('FAILED_PRECONDITION', 'BufferTask needs the queue httpTarget.uriOverride to name a host.');
  const scheme = u.scheme === 'HTTP' ? 'http' : 'https';
  const port = u.port && u.port !== '0' ? `:${u.port}` : '';
  const query = u.queryOverride?.queryParams ? `?${u.queryOverride.queryParams}` : '';
  return `${scheme}://${u.host}${port}${u.pathOverride?.path ?? '/'}${query}`;
}

/** Creates a task with `body` (and its Content-Type as a task header) for a queue that has an httpTarget. */
export function bufferTask(
  ctx: ApiContext,
  queue: string,
  taskId: string | undefined,
  body: Buffer,
  contentType: string | undefined,
): Json {
  parseQueueName(queue);
  const q = ctx.store.getQueue(queue);
  if (!q) throw apiError('NOT_FOUND', MESSAGES.queueMissing);
  const httpTarget = q.passthrough.httpTarget as Json | undefined;
  if (!httpTarget) throw apiError('FAILED_PRECONDITION', 'BufferTask needs a queue with an httpTarget.');
  const method = String(httpTarget.httpMethod ?? 'POST');
  const withBody = body.length > 0 && ['POST', 'PUT', 'PATCH', 'HTTP_METHOD_UNSPECIFIED'].includes(method); // the target method decides
  const task = {
    ...(taskId ? { name: `${queue}/tasks/${taskId}` } : {}),
    httpRequest: {
      url: targetUrl(httpTarget.uriOverride),
      httpMethod: method,
      ...(contentType ? { headers: { 'Content-Type': contentType } } : {}),
      ...(withBody ? { body: body.toString('base64') } : {}),
    },
  };
  return { task: createTask(ctx, queue, { task }) };
}
