/** Google API errors in the REST shape `{"error":{"code","message","status"}}` (reference §5.3). */

/** Canonical gRPC status names with their HTTP status codes (google/rpc/code.proto). */
const HTTP_FOR_STATUS = {
  CANCELLED: 499,
  UNKNOWN: 500,
  INVALID_ARGUMENT: 400,
  DEADLINE_EXCEEDED: 504,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  ABORTED: 409,
  OUT_OF_RANGE: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
} as const;

/** A canonical status name such as `NOT_FOUND`. */
export type StatusName = keyof typeof HTTP_FOR_STATUS;

/** An error the REST layer turns into a Google error body; anything else becomes INTERNAL. */
export class ApiError extends Error {
  readonly status: StatusName;
  constructor(status: StatusName, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/** Builds an {@link ApiError}; shorter at call sites than `new`. */
export const apiError = (status: StatusName, message: string): ApiError => new ApiError(status, message);

/** Shorthand for INVALID_ARGUMENT. */
export const invalid = (message: string): ApiError => new ApiError('INVALID_ARGUMENT', message);

/** The HTTP status code of a canonical status. */
export const httpStatusOf = (status: StatusName): number => HTTP_FOR_STATUS[status];

/** The REST error body for an error of any kind. */
export function errorBody(err: unknown): { httpStatus: number; body: unknown } {
  const e = err instanceof ApiError ? err : new ApiError('INTERNAL', 'Internal error encountered.');
  const code = httpStatusOf(e.status);
  return { httpStatus: code, body: { error: { code, message: e.message, status: e.status } } };
}

/** Real Cloud Tasks messages (reference §3.4, §4.3, §4.4; observed by the aertje conformance harness). */
export const MESSAGES = {
  queueMissing:
    'Queue does not exist. If you just created the queue, wait at least a minute for the queue to initialize.',
  notFound: 'Requested entity was not found.',
  alreadyExists: 'Requested entity already exists',
  queueExists: 'Queue already exists',
  queueTooRecent: 'The queue cannot be created because a queue with this name existed too recently.',
  taskTooRecent:
    'The task cannot be created because a task with this name existed too recently. ' +
    'For more information about task de-duplication see ' +
    'https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks/create#body.request_body.FIELDS.task.',
  taskGone:
    'The task no longer exists, though a task with this name existed recently. The task either successfully completed or was deleted.',
  queueName: 'Queue name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>".',
  urlRequired: 'HttpRequest.url is required.',
  urlScheme: "HttpTarget.url must start with 'http://' or 'https://'.",
} as const;
