/**
 * Enqueueing Cloud Tasks: a typed queue registry binds each queue to its payload schema, and `enqueue` validates
 * the payload, builds an OIDC-authenticated HTTP task and creates it with `@google-cloud/tasks` over its REST
 * transport (`fallback: true`), the same in production and against our emulator.
 */
import { createHash } from 'node:crypto';
import type { protos } from '@google-cloud/tasks';
import type { z } from 'zod';
import type { TasksEnv } from './config.ts';
import { googleAuth, passThroughAuth, sharedAuth } from './credentials.ts';
import { AppError, PermanentError, RetryableError, describeIssues, fieldIssues } from './errors.ts';
import { ALREADY_EXISTS, grpcCode, isTransient } from './grpc.ts';
import { loadPackage, once } from './lazy.ts';
import { childTraceparent, type Trace } from './trace.ts';

/** Cloud Tasks' limit on a task's size. */
export const MAX_TASK_BYTES = 1024 * 1024;

/** What the enqueuer (createTask) and the operator commands (runTask: `npm run report`) need of a Cloud Tasks client. */
export interface TasksClient {
  createTask(
    request: protos.google.cloud.tasks.v2.ICreateTaskRequest,
    options?: CallOptions,
  ): Promise<[protos.google.cloud.tasks.v2.ITask, ...unknown[]]>;
  runTask(
    request: protos.google.cloud.tasks.v2.IRunTaskRequest,
    options?: CallOptions,
  ): Promise<[protos.google.cloud.tasks.v2.ITask, ...unknown[]]>;
}

/** google-gax's per-call options used here: how long the call may take, in ms (then DEADLINE_EXCEEDED). */
export interface CallOptions {
  timeout?: number;
}

/** How long creating one task may take before the enqueuer gives up with a retryable error. */
export const DEFAULT_TASKS_TIMEOUT_MS = 10_000;

/**
 * The Cloud Tasks client (REST transport), made on the first call (shared/lazy.ts): @google-cloud/tasks and google-gax
 * load then, not at cold start. With `emulatorHost` (`host:port`) it speaks plain-HTTP REST to it, without
 * credentials; otherwise it first obtains the instance's credentials (shared/credentials.ts).
 */
export function createTasksClient(options: { emulatorHost?: string | undefined }): TasksClient {
  const client = once(() => {
    const { CloudTasksClient: Client } = loadPackage<typeof import('@google-cloud/tasks')>('@google-cloud/tasks');
    if (!options.emulatorHost) return new Client({ fallback: true, auth: sharedAuth() });
    const [host, port] = options.emulatorHost.split(':') as [string, string];
    return new Client({
      fallback: true,
      protocol: 'http',
      apiEndpoint: host,
      port: Number(port),
      authClient: passThroughAuth(),
    });
  });
  const made = async () => {
    if (!options.emulatorHost) await googleAuth();
    return client();
  };
  return {
    createTask: async (request, callOptions) => (await made()).createTask(request, callOptions),
    runTask: async (request, callOptions) => (await made()).runTask(request, callOptions),
  };
}

/** Where a queue's tasks go: the target function's URL, and the OIDC audience it expects. */
export interface QueueTarget {
  url: string;
  /** @default url */
  audience?: string;
}

export interface EnqueueOptions {
  /** Same key, same task: the task id is a hash of the queue and this key, so Cloud Tasks deduplicates. */
  idempotencyKey?: string;
  /** When to dispatch. @default now */
  scheduleTime?: Date;
  /** How long Cloud Tasks waits for the target (15 s to 30 min). @default Cloud Tasks' 10 min */
  dispatchDeadlineSeconds?: number;
  /** The trace the task continues: it carries a `traceparent` header of this trace, which its target reads. */
  trace?: Pick<Trace, 'traceId' | 'sampled'>;
}

export interface Enqueued {
  /** Full task name (`projects/…/tasks/<id>`). */
  name: string;
  /** True when a task with this id already existed (or ran within the last hour): nothing new was enqueued. */
  duplicate: boolean;
}

export interface EnqueuerOptions<R extends Record<string, z.ZodType>> {
  client: TasksClient;
  project: string;
  location: string;
  /** Service account whose OIDC token the tasks carry. */
  serviceAccount: string;
  /** Queue name → payload schema. */
  schemas: R;
  /** Queue name → target; only the queues this function enqueues to. */
  targets: { [K in keyof R]?: QueueTarget };
  /** How long one createTask may take (the library's own default is 20 s). @default 10000 */
  timeoutMs?: number;
}

export type Enqueue<R extends Record<string, z.ZodType>> = <K extends keyof R & string>(
  queue: K,
  payload: z.input<R[K]>,
  options?: EnqueueOptions,
) => Promise<Enqueued>;

/** The task id for an idempotency key: a SHA-256 hash, so ids are spread out as Cloud Tasks asks. */
export function taskIdFor(queue: string, key: string): string {
  return createHash('sha256').update(`${queue}\n${key}`).digest('hex');
}

/** A queue's target from a function's settings: `<NAME>_URL`, and `<NAME>_AUDIENCE` when the token's audience differs. */
export const targetOf = (url: string, audience?: string): { url: string; audience: string } => ({
  url,
  audience: audience ?? url,
});

/**
 * A function's enqueuer, from its settings (`GOOGLE_CLOUD_PROJECT` and `TasksEnv`): the Cloud Tasks client is made on
 * the first task. `targets` names the queues this function may enqueue on.
 */
export function enqueuerFromConfig<R extends Record<string, z.ZodType>>(
  config: z.output<typeof TasksEnv> & { GOOGLE_CLOUD_PROJECT: string },
  schemas: R,
  targets: EnqueuerOptions<R>['targets'],
): Enqueue<R> {
  return createEnqueuer({
    client: createTasksClient({ emulatorHost: config.CLOUD_TASKS_EMULATOR_HOST }),
    project: config.GOOGLE_CLOUD_PROJECT,
    location: config.TASKS_LOCATION,
    serviceAccount: config.TASKS_INVOKER_SERVICE_ACCOUNT,
    schemas,
    targets,
  });
}

/** Builds `enqueue(queue, payload, options)` once, at cold start. */
export function createEnqueuer<R extends Record<string, z.ZodType>>(o: EnqueuerOptions<R>): Enqueue<R> {
  return async (queue, payload, options = {}) => {
    const parsed = o.schemas[queue]!.safeParse(payload);
    if (!parsed.success) {
      const details = fieldIssues(parsed.error.issues);
      throw new PermanentError('invalid-payload', `Invalid ${queue} task payload: ${describeIssues(details)}`, {
        details,
      });
    }
    const body = Buffer.from(JSON.stringify(parsed.data));
    if (body.length > MAX_TASK_BYTES - 16 * 1024) {
      throw new PermanentError(
        'task-too-large',
        `The ${queue} task payload is ${body.length} bytes; a task may not exceed ${MAX_TASK_BYTES} bytes`,
      );
    }
    const target = o.targets[queue];
    if (!target) throw new AppError('internal', `No target configured for the ${queue} queue`);
    const parent = `projects/${o.project}/locations/${o.location}/queues/${queue}`;
    const name = options.idempotencyKey ? `${parent}/tasks/${taskIdFor(queue, options.idempotencyKey)}` : undefined;
    const task = {
      ...(name ? { name } : {}),
      httpRequest: {
        httpMethod: 'POST' as const,
        url: target.url,
        headers: {
          'Content-Type': 'application/json',
          ...(options.trace ? { traceparent: childTraceparent(options.trace) } : {}),
        },
        body,
        oidcToken: { serviceAccountEmail: o.serviceAccount, audience: target.audience ?? target.url },
      },
      ...(options.scheduleTime ? { scheduleTime: toTimestamp(options.scheduleTime) } : {}),
      ...(options.dispatchDeadlineSeconds ? { dispatchDeadline: { seconds: options.dispatchDeadlineSeconds } } : {}),
    };
    try {
      const [created] = await o.client.createTask(
        { parent, task },
        { timeout: o.timeoutMs ?? DEFAULT_TASKS_TIMEOUT_MS },
      );
      return { name: created.name || name || '', duplicate: false };
    } catch (err) {
      if (grpcCode(err) === ALREADY_EXISTS && name) return { name, duplicate: true };
      throw classify(err, queue);
    }
  };
}

function classify(err: unknown, queue: string): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // No gRPC code: a network-level failure (ECONNREFUSED, reset, timeout) before Cloud Tasks answered.
  if (isTransient(err)) {
    return new RetryableError('dependency-unavailable', `Cloud Tasks is unavailable (queue ${queue}): ${message}`, {
      cause: err,
    });
  }
  return new AppError('internal', `Cloud Tasks rejected the ${queue} task: ${message}`, { cause: err });
}

function toTimestamp(d: Date): { seconds: number; nanos: number } {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}
