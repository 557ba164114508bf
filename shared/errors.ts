/**
 * The error model shared by every function. Domain code throws these; only `shared/http.ts` turns them into
 * HTTP answers. Every error carries a stable kebab-case `code` that logs, tests and dashboards can rely on.
 */

/** Stable error codes, one union so callers can switch over them. */
export type ErrorCode =
  | 'invalid-payload'
  | 'invalid-json'
  | 'invalid-request'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'method-not-allowed'
  | 'unauthenticated'
  | 'permission-denied'
  | 'invalid-config'
  | 'task-too-large'
  | 'not-found'
  | 'provider-rejected'
  | 'provider-unavailable'
  | 'provider-rate-limited'
  | 'provider-auth'
  | 'dependency-unavailable'
  | 'not-ready'
  | 'internal';

/** One invalid field: its path (`data.order.total`) and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Base class: a message, a stable code, optional field details and the cause. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: FieldIssue[];
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: FieldIssue[] } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? [];
  }
}

/** A failure that no retry can fix (bad payload, provider 400/413). Task targets acknowledge it with a 2xx. */
export class PermanentError extends AppError {}

/**
 * A failure that a later attempt may fix (timeout, network, provider 5xx, a record not there yet).
 * `retryAfterSeconds` is sent as `Retry-After` when known.
 */
export class RetryableError extends AppError {
  readonly retryAfterSeconds: number | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; retryAfterSeconds?: number | undefined; details?: FieldIssue[] } = {},
  ) {
    super(code, message, options);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** An upstream 429: passed on as 429 with `Retry-After`, so Cloud Tasks backs off harder. */
export class RateLimitedError extends RetryableError {}

/** A request from a client that is wrong and that the client must fix: answered with `status` (4xx). */
export class RequestError extends AppError {
  readonly status: number;
  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: FieldIssue[] } = {},
  ) {
    super(code, message, options);
    this.status = status;
  }
}

/** Missing or invalid credentials (401), or valid credentials of the wrong principal (403). */
export class AuthError extends RequestError {
  constructor(kind: 'unauthenticated' | 'permission-denied', message: string, options: { cause?: unknown } = {}) {
    super(kind === 'unauthenticated' ? 401 : 403, kind, message, options);
  }
}

/** Bad configuration found at cold start: lists every problem at once. */
export class ConfigError extends AppError {
  constructor(message: string, details: FieldIssue[]) {
    super('invalid-config', message, { details });
  }
}

/** Turns zod issues into `{path, message}` pairs, with array indexes in the path (`lines.0.sku`). */
export function fieldIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): FieldIssue[] {
  return issues.map((i) => ({
    path: i.path.length ? i.path.map((p) => String(p)).join('.') : '(root)',
    message: i.message,
  }));
}

/** A one-line summary of field issues, naming every field: `total: must equal ...; lines.0.sku: Required`. */
export function describeIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
