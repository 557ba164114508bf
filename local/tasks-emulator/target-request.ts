/** Builds the HTTP request Cloud Tasks sends for one attempt: the task's own headers plus its X-CloudTasks-* headers. */
import type { TargetRequest } from './http-attempt.ts';
import { shortId } from './names.ts';
import type { TaskRecord } from './task-model.ts';

/** Headers Cloud Tasks computes, replaces or reserves (reference §1.2), matched case-insensitively. */
const DROPPED =
  /^(host|content-length|user-agent|x-cloudtasks-.*|x-google-.*|x-appengine-.*|connection|transfer-encoding)$/i;

/** The `X-CloudTasks-TaskETA` value: seconds since the epoch with six decimals. */
export const etaHeader = (ms: number): string => (ms / 1000).toFixed(6);

/** The request for the attempt about to be made (`task.dispatchCount` attempts already made). */
export function targetRequest(task: TaskRecord, bearer: string | undefined): TargetRequest {
  const h = task.httpRequest;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(h.headers)) {
    if (DROPPED.test(k) || (bearer !== undefined && /^authorization$/i.test(k))) continue;
    headers[k] = v;
  }
  const body = h.body ? Buffer.from(h.body, 'base64') : undefined;
  headers['User-Agent'] = 'Google-Cloud-Tasks';
  if (bearer !== undefined) headers.Authorization = `Bearer ${bearer}`;
  if (body || ['POST', 'PUT', 'PATCH'].includes(h.httpMethod)) headers['Content-Length'] = String(body?.length ?? 0);
  headers['X-CloudTasks-QueueName'] = shortId(task.queue);
  headers['X-CloudTasks-TaskName'] = shortId(task.name);
  headers['X-CloudTasks-TaskRetryCount'] = String(task.dispatchCount);
  headers['X-CloudTasks-TaskExecutionCount'] = String(task.executionCount);
  headers['X-CloudTasks-TaskETA'] = etaHeader(task.scheduleTime);
  if (task.dispatchCount > 0) {
    headers['X-CloudTasks-TaskPreviousResponse'] = String(task.previousResponse ?? 0);
    headers['X-CloudTasks-TaskRetryReason'] = '';
  }
  return { url: h.url, method: h.httpMethod, headers, ...(body ? { body } : {}) };
}

/** The `google.rpc.Status` the Task resource reports for an HTTP status (as other emulators map it; Google's mapping is unpublished). */
export function rpcStatusFor(status: number | undefined, timedOut: boolean): { code: number; message: string } {
  if (timedOut) return { code: 4, message: 'DEADLINE_EXCEEDED' };
  if (status === undefined) return { code: 14, message: 'UNAVAILABLE: the target could not be reached' };
  const byStatus: Record<number, [number, string]> = {
    400: [3, 'INVALID_ARGUMENT'],
    401: [16, 'UNAUTHENTICATED'],
    403: [7, 'PERMISSION_DENIED'],
    404: [5, 'NOT_FOUND'],
    409: [10, 'ABORTED'],
    429: [8, 'RESOURCE_EXHAUSTED'],
    499: [1, 'CANCELLED'],
    501: [12, 'UNIMPLEMENTED'],
    503: [14, 'UNAVAILABLE'],
    504: [4, 'DEADLINE_EXCEEDED'],
  };
  const [code, name] =
    byStatus[status] ??
    (status >= 500 ? [13, 'INTERNAL'] : status >= 400 ? [9, 'FAILED_PRECONDITION'] : [2, 'UNKNOWN']);
  return { code, message: `${name}: HTTP status ${status}` };
}
