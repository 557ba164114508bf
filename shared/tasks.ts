/**
 * Enqueueing Cloud Tasks: a typed queue registry binds each queue to its payload schema, and `enqueue` validates
 * the payload, builds an OIDC-authenticated HTTP task and creates it with one call to the Cloud Tasks REST API v2
 * (shared/google-rest.ts: `fetch`, not the @google-cloud/tasks library, which took ~300 ms of a first request to
 * load and set up; BENCHMARKS.md).
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { TasksEnv } from './config.ts';
import { AppError, PermanentError, RetryableError, describeIssues, fieldIssues } from './errors.ts';
import { apiBase, googleRest } from './google-rest.ts';
import { ALREADY_EXISTS, grpcCode, isTransient } from './grpc.ts';

/** Cloud Tasks' limit on a task's size. */
export const MAX_TASK_BYTES = 1024 * 1024;

/** A task as the REST API v2 takes it (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks). */
export interface TaskSpec {
  name?: string;
  httpRequest: {
    httpMethod: 'POST';
    url: string;
    headers: Record<string, string>;
    /** base64. */
    body: string;
    oidcToken: { serviceAccountEmail: string; audience: string };
  };
  /** RFC 3339. */
  scheduleTime?: string;
  /** Duration, e.g. `"600s"`. */
  dispatchDeadline?: string;
}

/** What the enqueuer (createTask) and the operator commands (runTask: `npm run report`) need of Cloud Tasks. */
export interface TasksClient {
  /** Creates a task in the queue `parent`; answers the created task's name. Fails with code 6 when the name exists. */
  createTask(parent: string, task: TaskSpec): Promise<{ name: string }>;
  /** Dispatches a task now (`tasks.run`). */
  runTask(name: string): Promise<{ name: string }>;
}

/** The Cloud Tasks REST client; with `emulatorHost` (`host:port`) it speaks plain HTTP to our emulator. */
export function createTasksClient(options: { emulatorHost?: string | undefined }): TasksClient {
  const call = googleRest({ baseUrl: apiBase('cloudtasks', 'v2', options.emulatorHost), emulator: !!options.emulatorHost });
  return {
    createTask: (parent, task) => call('POST', `${parent}/tasks`, { task }),
    runTask: (name) => call('POST', `${name}:run`, {}),
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
export const targetOf = (url: string, audience?: string): { url: string; audience: string } => ({ url, audience: audience ?? url });

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
      throw new PermanentError('invalid-payload', `Invalid ${queue} task payload: ${describeIssues(details)}`, { details });
    }
    const body = Buffer.from(JSON.stringify(parsed.data));
    if (body.length > MAX_TASK_BYTES - 16 * 1024) {
      throw new PermanentError('task-too-large', `The ${queue} task payload is ${body.length} bytes; a task may not exceed ${MAX_TASK_BYTES} bytes`);
    }
    const target = o.targets[queue];
    if (!target) throw new AppError('internal', `No target configured for the ${queue} queue`);
    const parent = `projects/${o.project}/locations/${o.location}/queues/${queue}`;
    const name = options.idempotencyKey ? `${parent}/tasks/${taskIdFor(queue, options.idempotencyKey)}` : undefined;
    const task: TaskSpec = {
      ...(name ? { name } : {}),
      httpRequest: {
        httpMethod: 'POST',
        url: target.url,
        headers: { 'Content-Type': 'application/json' },
        body: body.toString('base64'),
        oidcToken: { serviceAccountEmail: o.serviceAccount, audience: target.audience ?? target.url },
      },
      ...(options.scheduleTime ? { scheduleTime: options.scheduleTime.toISOString() } : {}),
      ...(options.dispatchDeadlineSeconds ? { dispatchDeadline: `${options.dispatchDeadlineSeconds}s` } : {}),
    };
    try {
      const created = await o.client.createTask(parent, task);
      return { name: created.name || name || '', duplicate: false };
    } catch (err) {
      if (grpcCode(err) === ALREADY_EXISTS && name) return { name, duplicate: true };
      throw classify(err, queue);
    }
  };
}

function classify(err: unknown, queue: string): AppError {
  const message = err instanceof Error ? err.message : String(err);
  // No gRPC code: a network-level failure (ECONNREFUSED, reset, timeout) before Cloud Tasks answered.
  if (isTransient(err)) {
    return new RetryableError('dependency-unavailable', `Cloud Tasks is unavailable (queue ${queue}): ${message}`, { cause: err });
  }
  return new AppError('internal', `Cloud Tasks rejected the ${queue} task: ${message}`, { cause: err });
}
