/**
 * The two HTTP wrappers every function is built from, and the only place where errors become HTTP answers.
 * - `taskTarget` for functions that Cloud Tasks (or Cloud Scheduler) calls with an OIDC token;
 * - `publicEndpoint` for functions that outside clients call (the storefront webhook).
 * Over 200 lines on purpose: it is the one error→status map of the project, and both wrappers share it.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import type { z } from 'zod';
import { bodyErrorOf, catchBodyErrors, type BodyError } from './body-errors.ts';
import {
  AppError,
  PermanentError,
  RateLimitedError,
  RequestError,
  RetryableError,
  describeIssues,
  fieldIssues,
} from './errors.ts';
import type { Logger } from './log.ts';
import type { OidcClaims, OidcVerifier } from './oidc.ts';
import { requestTrace, traceLogFields, type Trace } from './trace.ts';

export type Handler = (req: Request, res: Response) => Promise<void>;

/** What a task target knows about the task it runs, from the `X-CloudTasks-*` headers. */
export interface TaskContext {
  /** Queue short id (`X-CloudTasks-QueueName`); empty when not called by Cloud Tasks (e.g. Scheduler). */
  queue: string;
  /** Task short id (`X-CloudTasks-TaskName`). */
  task: string;
  /** Retries so far, 0 on the first attempt (`X-CloudTasks-TaskRetryCount`). */
  retryCount: number;
  /** Responses received so far, 5xx excluded (`X-CloudTasks-TaskExecutionCount`). */
  executionCount: number;
  /** When the task was scheduled (`X-CloudTasks-TaskETA`). */
  eta: Date | undefined;
  /** Status of the previous attempt (`X-CloudTasks-TaskPreviousResponse`). */
  previousResponse: number | undefined;
  /** Why the task is retried (`X-CloudTasks-TaskRetryReason`). */
  retryReason: string | undefined;
  /** True when the queue will not retry after this attempt (from its `maxAttempts`). */
  lastAttempt: boolean;
  /** The verified caller. */
  caller: OidcClaims;
  /** The trace the task continues (its `traceparent`), or a new one; tasks it creates continue it. */
  trace: Trace;
  /** A logger labelled with the queue and task and correlated with the request's trace. */
  log: Logger;
}

/** A task that is given up: permanently failed, or failed on its last allowed attempt. */
export interface GiveUp {
  ctx: TaskContext;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  error: AppError;
}

export interface TaskTargetOptions<S extends z.ZodType> {
  /** The payload schema, the same one the enqueuing side validated with. */
  schema: S;
  verify: OidcVerifier;
  log: Logger;
  project: string;
  /** `maxAttempts` of a queue (from the queue config), to know the last attempt. -1 or undefined: unlimited. */
  maxAttempts?: (queue: string) => number | undefined;
  /** Called before a task is given up, e.g. to write a dead letter. If it throws, the task is retried. */
  onGiveUp?: (failure: GiveUp) => Promise<void>;
  handler: (payload: z.output<S>, ctx: TaskContext) => Promise<void>;
}

/** Reads a header case-insensitively. */
const header =
  (req: Request) =>
  (name: string): string | undefined => {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(',') : v;
  };

/**
 * Wraps a Cloud Tasks handler: method, OIDC, task headers, content type and payload validation, then the
 * handler, with the outcome mapped to the status Cloud Tasks needs (see docs/status-codes.md).
 */
export function taskTarget<S extends z.ZodType>(o: TaskTargetOptions<S>): Handler {
  catchBodyErrors();
  return async (req, res) => {
    const h = header(req);
    const trace = requestTrace(h, o.project);
    if (req.method !== 'POST')
      return sendError(
        res,
        o.log,
        new RequestError(405, 'method-not-allowed', `Method ${req.method} is not allowed; use POST`),
        { Allow: 'POST' },
      );
    let caller: OidcClaims;
    try {
      caller = await o.verify(h('authorization'));
    } catch (err) {
      return sendError(res, o.log.child({ fields: traceLogFields(trace) }), err);
    }
    const ctx = taskContext(h, caller, o, trace);
    let body: unknown = req.body;
    try {
      if (!isJson(h('content-type'))) {
        body = req.rawBody?.toString('utf8') ?? '';
        throw new PermanentError(
          'unsupported-media-type',
          `Content-Type must be application/json, got ${h('content-type') ?? 'none'}`,
        );
      }
      const bodyError = bodyErrorOf(req);
      if (bodyError) {
        body = req.rawBody?.toString('utf8') ?? '';
        throw bodyError.status < 500
          ? new PermanentError(bodyError.code, bodyError.message, { details: bodyError.details ?? [] })
          : new AppError('internal', bodyError.message);
      }
      const parsed = o.schema.safeParse(body);
      if (!parsed.success) {
        const details = fieldIssues(parsed.error.issues);
        throw new PermanentError('invalid-payload', `Invalid task payload: ${describeIssues(details)}`, { details });
      }
      await o.handler(parsed.data, ctx);
      ctx.log.info('Task done', { outcome: 'done' });
      res.status(204).end();
    } catch (err) {
      await failTask(res, o, ctx, body, err);
    }
  };
}

function taskContext(
  h: (n: string) => string | undefined,
  caller: OidcClaims,
  o: TaskTargetOptions<z.ZodType>,
  trace: Trace,
): TaskContext {
  const queue = h('x-cloudtasks-queuename') ?? '';
  const task = h('x-cloudtasks-taskname') ?? '';
  const retryCount = toInt(h('x-cloudtasks-taskretrycount')) ?? 0;
  const eta = Number(h('x-cloudtasks-tasketa'));
  const max = o.maxAttempts?.(queue);
  return {
    queue,
    task,
    retryCount,
    executionCount: toInt(h('x-cloudtasks-taskexecutioncount')) ?? 0,
    eta: Number.isFinite(eta) && h('x-cloudtasks-tasketa') ? new Date(eta * 1000) : undefined,
    previousResponse: toInt(h('x-cloudtasks-taskpreviousresponse')),
    retryReason: h('x-cloudtasks-taskretryreason') || undefined,
    lastAttempt: max !== undefined && max > 0 && retryCount + 1 >= max,
    caller,
    trace,
    log: o.log.child({
      labels: { queue: queue || undefined, task: task || undefined },
      fields: { ...traceLogFields(trace), retryCount },
    }),
  };
}

async function failTask(
  res: Response,
  o: TaskTargetOptions<z.ZodType>,
  ctx: TaskContext,
  body: unknown,
  err: unknown,
): Promise<void> {
  const error =
    err instanceof AppError
      ? err
      : new AppError('internal', err instanceof Error ? err.message : String(err), { cause: err });
  const permanent = error instanceof PermanentError;
  if (permanent || ctx.lastAttempt) {
    try {
      await o.onGiveUp?.({ ctx, body, error });
    } catch (giveUpErr) {
      // The task must not vanish without its dead letter: let Cloud Tasks try again.
      ctx.log.error('Could not record the failed task; it will be retried', giveUpErr, { code: error.code });
      res.status(503).json({ outcome: 'retry', code: 'dependency-unavailable' });
      return;
    }
  }
  if (permanent) {
    ctx.log.error('Task failed permanently and was dropped', err, {
      code: error.code,
      outcome: 'dropped',
      details: error.details,
    });
    res.status(200).json({ outcome: 'dropped', code: error.code, message: error.message });
    return;
  }
  if (ctx.lastAttempt)
    ctx.log.critical('Task failed on its last attempt and was dead-lettered', err, {
      code: error.code,
      outcome: 'given-up',
    });
  else if (error.code === 'internal')
    ctx.log.error('Task failed unexpectedly; it will be retried', err, { code: error.code });
  else if (error.code === 'provider-auth' || error.code === 'invalid-config')
    ctx.log.error(error.message, err, { code: error.code });
  else ctx.log.warn('Task failed; it will be retried', { code: error.code, reason: error.message });
  const retryAfter = error instanceof RetryableError ? error.retryAfterSeconds : undefined;
  if (retryAfter !== undefined) res.setHeader('Retry-After', retryAfterHeader(retryAfter));
  const status = error instanceof RateLimitedError ? 429 : error instanceof RetryableError ? 503 : 500;
  res.status(status).json({ outcome: 'retry', code: error.code, message: error.message });
}

export interface PublicEndpointOptions {
  log: Logger;
  project: string;
  /** Allowed methods. @default ['POST'] */
  methods?: string[];
  /** Largest accepted body, in bytes. @default 1 MiB */
  maxBodyBytes?: number;
  /** The setting `maxBodyBytes` comes from, named in the 413 so an operator knows what to raise (e.g. `WEBHOOK_MAX_BODY_BYTES`). */
  maxBodySetting?: string;
  /**
   * Checks the caller first, before the body is looked at (a private function called with an OIDC token, such as a
   * Cloud Scheduler target): a caller that is not let in learns nothing about its body. Unset: anyone may call.
   */
  authenticate?: (authorization: string | undefined) => Promise<OidcClaims>;
  /**
   * Handles a checked request and answers it; throw a `RequestError` for a 4xx. `caller`: what `authenticate`
   * returned; `trace`: the trace the request continues (or a new one), which `log` is correlated with.
   */
  handler: (req: Request, res: Response, log: Logger, caller: OidcClaims | undefined, trace: Trace) => Promise<void>;
}

/**
 * Wraps a function that outside clients call: method, body size and JSON content type checks, then the handler.
 * 4xx answers are `{"error":{"code","message","details"}}`; a `RetryableError` is 503; anything else 500.
 */
export function publicEndpoint(o: PublicEndpointOptions): Handler {
  const methods = o.methods ?? ['POST'];
  const max = o.maxBodyBytes ?? 1024 * 1024;
  catchBodyErrors();
  return async (req, res) => {
    const h = header(req);
    const trace = requestTrace(h, o.project);
    const log = o.log.child({ fields: traceLogFields(trace) });
    try {
      if (!methods.includes(req.method))
        throw new RequestError(
          405,
          'method-not-allowed',
          `Method ${req.method} is not allowed; use ${methods.join(', ')}`,
        );
      const caller = o.authenticate ? await o.authenticate(h('authorization')) : undefined;
      const length = req.rawBody?.length ?? Number(h('content-length') ?? 0);
      if (length > max) {
        const setting = o.maxBodySetting ? ` (${o.maxBodySetting}; raise it to accept larger bodies)` : '';
        throw new RequestError(
          413,
          'payload-too-large',
          `Body is ${length} bytes; the limit is ${max} bytes${setting}`,
        );
      }
      if (req.method !== 'GET' && !isJson(h('content-type')))
        throw new RequestError(
          415,
          'unsupported-media-type',
          `Content-Type must be application/json, got ${h('content-type') ?? 'none'}`,
        );
      const bodyError = bodyErrorOf(req);
      if (bodyError) throw requestErrorOf(bodyError);
      await o.handler(req, res, log, caller, trace);
    } catch (err) {
      sendError(res, log, err, err instanceof RequestError && err.status === 405 ? { Allow: methods.join(', ') } : {});
    }
  };
}

/** Answers an error as JSON `{"error":{"code","message","details"}}` with its status, logging what is ours. */
export function sendError(res: Response, log: Logger, err: unknown, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (err instanceof RequestError) {
    log.warn('Rejected request', { status: err.status, code: err.code, reason: err.message, details: err.details });
    res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details } });
    return;
  }
  if (err instanceof RetryableError) {
    log.warn('Dependency unavailable; asking the client to retry', { code: err.code, reason: err.message });
    if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', retryAfterHeader(err.retryAfterSeconds));
    res.status(503).json({ error: { code: err.code, message: err.message, details: [] } });
    return;
  }
  // A configuration failure found at run time (credentials) is logged with what to fix; callers see only 500.
  if (err instanceof AppError && err.code === 'invalid-config') log.error(err.message, err, { code: err.code });
  else log.error('Unexpected error', err);
  res.status(500).json({ error: { code: 'internal', message: 'Internal error', details: [] } });
}

function requestErrorOf(e: BodyError): AppError {
  return e.status < 500
    ? new RequestError(e.status, e.code, e.message, { details: e.details ?? [] })
    : new AppError('internal', e.message);
}

/** `Retry-After` in whole seconds, at least 1. */
function retryAfterHeader(seconds: number): string {
  return String(Math.max(1, Math.ceil(seconds)));
}

function isJson(contentType: string | undefined): boolean {
  return !!contentType && /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType.trim());
}

function toInt(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}
