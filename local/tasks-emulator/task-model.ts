/** The Task resource: validation of CreateTask input and the REST rendering under BASIC and FULL views. */
import { apiError, invalid, MESSAGES } from './errors.ts';
import { formatDuration, formatTimestamp, parseDuration, parseEnum, parseTimestamp } from './proto-json.ts';

/** HTTP methods in proto enum order (index = enum number). */
export const HTTP_METHODS = [
  'HTTP_METHOD_UNSPECIFIED',
  'POST',
  'GET',
  'HEAD',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
] as const;
/** An HTTP method name as the API spells it. */
export type HttpMethod = (typeof HTTP_METHODS)[number];
/** Task views in proto enum order. */
export const VIEWS = ['VIEW_UNSPECIFIED', 'BASIC', 'FULL'] as const;
/** A task view name. */
export type View = (typeof VIEWS)[number];

/** One dispatch attempt as the Task resource reports it. */
export interface AttemptRecord {
  scheduleTime: number;
  dispatchTime: number;
  responseTime?: number;
  responseStatus?: { code: number; message: string };
}

/** A task as the emulator keeps it (times in epoch ms with µs fractions). */
export interface TaskRecord {
  name: string;
  queue: string;
  httpRequest: {
    url: string;
    httpMethod: HttpMethod;
    headers: Record<string, string>;
    body?: string;
    oidcToken?: { serviceAccountEmail: string; audience?: string };
    oauthToken?: { serviceAccountEmail: string; scope?: string };
  };
  /** Exact creation time, used by purge; `createTime` (seconds) is derived from it. */
  createdAt: number;
  scheduleTime: number;
  dispatchDeadlineMs: number;
  dispatchCount: number;
  responseCount: number;
  /** Responses other than 5xx: the X-CloudTasks-TaskExecutionCount header. */
  executionCount: number;
  /** The previous attempt's HTTP status (504 after a missed deadline, 0 after a connection error). */
  previousResponse?: number;
  firstAttempt?: { dispatchTime: number };
  lastAttempt?: AttemptRecord;
}

/** Largest task accepted: 1 MiB (reference §7). */
export const MAX_TASK_BYTES = 1024 * 1024;
const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 3600 * 1000;
const BODY_METHODS: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH'];

function parseHeaders(value: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  let size = 0;
  for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    if (/^user-agent$/i.test(k)) continue; // replaced by Cloud Tasks
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) || /[^\t\x20-\x7e\x80-\xff]/.test(String(v))) {
      throw invalid(`HttpRequest.headers has an invalid header name or value: "${k}".`);
    }
    headers[k] = String(v);
    size += k.length + String(v).length;
  }
  if (size >= 80 * 1024) throw invalid('HttpRequest.headers must be smaller than 80KB in total.');
  return { ...headers, 'User-Agent': 'Google-Cloud-Tasks' };
}

function parseHttpRequest(input: Record<string, unknown>): TaskRecord['httpRequest'] {
  const url = typeof input.url === 'string' ? input.url : '';
  if (!url) throw invalid(MESSAGES.urlRequired);
  if (!/^https?:\/\//i.test(url)) throw invalid(MESSAGES.urlScheme);
  if (url.length > 2083) throw invalid('HttpRequest.url must be at most 2083 characters long.');
  let httpMethod =
    input.httpMethod === undefined
      ? 'POST'
      : parseEnum(input.httpMethod, HTTP_METHODS, 'task.http_request.http_method');
  if (httpMethod === 'HTTP_METHOD_UNSPECIFIED') httpMethod = 'POST';
  const req: TaskRecord['httpRequest'] = { url, httpMethod, headers: parseHeaders(input.headers) };
  if (typeof input.body === 'string' && input.body !== '') {
    if (!BODY_METHODS.includes(httpMethod))
      throw invalid(`HttpRequest.body may be set only for POST, PUT and PATCH requests, not ${httpMethod}.`);
    req.body = Buffer.from(input.body, 'base64').toString('base64');
  }
  const oidc = input.oidcToken as TaskRecord['httpRequest']['oidcToken'] | undefined;
  const oauth = input.oauthToken as TaskRecord['httpRequest']['oauthToken'] | undefined;
  if (oidc && oauth) throw invalid('Only one of HttpRequest.oidc_token and HttpRequest.oauth_token may be set.');
  if (oidc) {
    if (!oidc.serviceAccountEmail) throw invalid('OidcToken.service_account_email is required.');
    req.oidcToken = {
      serviceAccountEmail: oidc.serviceAccountEmail,
      ...(oidc.audience ? { audience: oidc.audience } : {}),
    };
  }
  if (oauth) {
    if (!oauth.serviceAccountEmail) throw invalid('OAuthToken.service_account_email is required.');
    req.oauthToken = {
      serviceAccountEmail: oauth.serviceAccountEmail,
      scope: oauth.scope || 'https://www.googleapis.com/auth/cloud-platform',
    };
  }
  return req;
}

/** The size a task counts against the 1 MiB limit: URL, header names and values, and decoded body bytes. */
export function taskSize(t: Pick<TaskRecord, 'httpRequest'>): number {
  const h = t.httpRequest;
  const headers = Object.entries(h.headers).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  return Buffer.byteLength(h.url) + headers + (h.body ? Buffer.from(h.body, 'base64').length : 0);
}

/** Validates the `task` of a CreateTask request and builds the stored record (counters zero). */
export function buildTask(input: Record<string, unknown>, name: string, queue: string, now: number): TaskRecord {
  if (input.appEngineHttpRequest)
    throw apiError('UNIMPLEMENTED', 'App Engine tasks are not supported by this emulator; use httpRequest.');
  if (!input.httpRequest || typeof input.httpRequest !== 'object') throw invalid('Task.http_request is required.');
  const httpRequest = parseHttpRequest(input.httpRequest as Record<string, unknown>);
  let scheduleTime = input.scheduleTime === undefined ? now : parseTimestamp(input.scheduleTime, 'task.schedule_time');
  if (scheduleTime < now) scheduleTime = now;
  if (scheduleTime > now + MAX_SCHEDULE_AHEAD_MS)
    throw invalid('Task.schedule_time must be at most 30 days in the future.');
  const deadline =
    input.dispatchDeadline === undefined
      ? 600_000
      : Math.trunc(parseDuration(input.dispatchDeadline, 'task.dispatch_deadline'));
  if (deadline < 15_000 || deadline > 1_800_000)
    throw invalid('Task.dispatch_deadline must be between 15 seconds and 30 minutes for HTTP tasks.');
  const task: TaskRecord = {
    name,
    queue,
    httpRequest,
    createdAt: now,
    scheduleTime,
    dispatchDeadlineMs: deadline,
    dispatchCount: 0,
    responseCount: 0,
    executionCount: 0,
  };
  const size = taskSize(task);
  if (size > MAX_TASK_BYTES)
    throw invalid(`Task size (${size} bytes) exceeds the maximum task size of ${MAX_TASK_BYTES} bytes (1 MiB).`);
  return task;
}

const renderAttempt = (a: AttemptRecord): Record<string, unknown> => ({
  scheduleTime: formatTimestamp(a.scheduleTime),
  dispatchTime: formatTimestamp(a.dispatchTime),
  ...(a.responseTime !== undefined ? { responseTime: formatTimestamp(a.responseTime) } : {}),
  ...(a.responseStatus ? { responseStatus: a.responseStatus } : {}),
});

/** The REST JSON of a task; BASIC (the default) omits the body. Zero counters are omitted, as proto3 JSON does. */
export function renderTask(t: TaskRecord, view: View): Record<string, unknown> {
  const full = view === 'FULL';
  const { body, ...rest } = t.httpRequest;
  return {
    name: t.name,
    httpRequest: { ...rest, ...(full && body ? { body } : {}) },
    scheduleTime: formatTimestamp(t.scheduleTime),
    createTime: formatTimestamp(Math.floor(t.createdAt / 1000) * 1000),
    dispatchDeadline: formatDuration(t.dispatchDeadlineMs),
    ...(t.dispatchCount ? { dispatchCount: t.dispatchCount } : {}),
    ...(t.responseCount ? { responseCount: t.responseCount } : {}),
    ...(t.firstAttempt ? { firstAttempt: { dispatchTime: formatTimestamp(t.firstAttempt.dispatchTime) } } : {}),
    ...(t.lastAttempt ? { lastAttempt: renderAttempt(t.lastAttempt) } : {}),
    view: full ? 'FULL' : 'BASIC',
  };
}
