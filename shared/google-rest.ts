/**
 * Google's REST APIs (Cloud Tasks v2, Firestore v1) called with `fetch`, instead of through the gRPC client
 * libraries: loading and setting up `@google-cloud/firestore` and `@google-cloud/tasks` (google-gax, protobufjs,
 * gRPC) took most of a function's first request (BENCHMARKS.md). A REST call is one JSON request; an error answer
 * (`{"error":{"code","message","status"}}`, https://cloud.google.com/apis/design/errors#http_mapping) becomes a
 * `GoogleApiError` whose `code` is the numeric gRPC code, as the client libraries report it, so shared/grpc.ts
 * classifies both alike. No answer at all is an outage too: DEADLINE_EXCEEDED after a timeout, UNAVAILABLE for a
 * failed connection.
 *
 * Credentials: against an emulator none are needed (Firestore's emulator takes `Bearer owner` as an admin that
 * security rules do not apply to); otherwise google-auth-library (Application Default Credentials: the metadata
 * server on Cloud Run, `gcloud auth application-default login` on a laptop) is loaded on the first call.
 */
import type { GoogleAuth } from 'google-auth-library';
import { loadPackage, once } from './lazy.ts';

/** google/rpc/code.proto: the canonical status names in order of their numeric codes. */
const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** The gRPC code of an HTTP status when the body names no canonical status (the mapping of google/rpc/code.proto). */
const CODE_OF_HTTP: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 10, 412: 9, 429: 8, 499: 1, 500: 13, 501: 12, 503: 14, 504: 4 };

/**
 * An error answer of a Google API. `code` is the gRPC code (6 = ALREADY_EXISTS…), `httpStatus` the HTTP one (0 when
 * no answer came: DEADLINE_EXCEEDED for a timeout, UNAVAILABLE for a failed connection).
 */
export class GoogleApiError extends Error {
  readonly code: number;
  readonly status: string;
  readonly httpStatus: number;
  constructor(httpStatus: number, status: string, message: string, options?: ErrorOptions) {
    const code = STATUS_NAMES.indexOf(status as (typeof STATUS_NAMES)[number]);
    super(`${code} ${status}: ${message}`, options);
    this.name = 'GoogleApiError';
    this.httpStatus = httpStatus;
    this.status = status;
    this.code = code;
  }
}

export interface GoogleRestOptions {
  /** e.g. `https://firestore.googleapis.com/v1`, or `http://127.0.0.1:8180/v1` for an emulator. */
  baseUrl: string;
  /** Talking to an emulator: no credentials, `Bearer owner` instead. */
  emulator: boolean;
  /** OAuth scope of the access token. @default cloud-platform */
  scope?: string;
  /** A call not answered within this fails with DEADLINE_EXCEEDED (an outage to shared/grpc.ts). @default 10000 */
  timeoutMs?: number;
}

/** One call: `method` on `path` (after the base URL) with an optional JSON body; resolves to the JSON answer. */
export type GoogleRest = <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, options?: CallOptions) => Promise<T>;

export interface CallOptions {
  /**
   * The call only reads: when its connection fails before any answer (a kept-alive socket the server had already
   * closed, as happens after an idle instance), it is sent once more. Never set for writes: a write whose answer
   * was lost may have been applied.
   */
  idempotent?: boolean;
}

/** The options of a call that only reads. */
export const READ: CallOptions = { idempotent: true };

/** A caller of one Google REST API. */
export function googleRest(o: GoogleRestOptions): GoogleRest {
  const auth = once(() => {
    const { GoogleAuth: Auth } = loadPackage<{ GoogleAuth: typeof GoogleAuth }>('google-auth-library');
    return new Auth({ scopes: [o.scope ?? 'https://www.googleapis.com/auth/cloud-platform'] });
  });
  const authorization = async (): Promise<string> => {
    if (o.emulator) return 'Bearer owner';
    // google-auth-library caches the token and refreshes it before it expires.
    const headers = (await (await auth().getClient()).getRequestHeaders()) as unknown as Headers | Record<string, string>;
    return (headers instanceof Headers ? headers.get('authorization') : headers.Authorization ?? headers.authorization) ?? '';
  };
  const send = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const timeoutMs = o.timeoutMs ?? 10_000;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${o.baseUrl}/${path}`, {
        method,
        headers: { authorization: await authorization(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      // No answer: a timeout, or the connection failed or broke. Both are outages (transient codes).
      const timedOut = (err as Error).name === 'TimeoutError';
      const why = timedOut ? `no answer within ${timeoutMs} ms` : `${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`;
      throw new GoogleApiError(0, timedOut ? 'DEADLINE_EXCEEDED' : 'UNAVAILABLE', `${method} ${o.baseUrl}/${path}: ${why}`, { cause: err });
    }
    if (res.ok) return (text ? JSON.parse(text) : {}) as T;
    throw errorOf(res.status, text);
  };
  return async <T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> => {
    try {
      return await send<T>(method, path, body);
    } catch (err) {
      const connectionFailed = err instanceof GoogleApiError && err.httpStatus === 0 && err.status === 'UNAVAILABLE';
      if (!options.idempotent || !connectionFailed) throw err;
      return send<T>(method, path, body);
    }
  };
}

/** The error of an error answer; a body that is not Google's error JSON (a proxy's page) keeps its first 200 characters. */
export function errorOf(httpStatus: number, text: string): GoogleApiError {
  let error: { status?: unknown; message?: unknown } | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    // Some endpoints (Firestore's streaming ones) answer an error as a one-element array.
    const first = (Array.isArray(parsed) ? parsed[0] : parsed) as { error?: typeof error } | undefined;
    error = first?.error;
  } catch {
    error = undefined;
  }
  const named = typeof error?.status === 'string' && (STATUS_NAMES as readonly string[]).includes(error.status) ? error.status : undefined;
  const status = named ?? STATUS_NAMES[CODE_OF_HTTP[httpStatus] ?? (httpStatus >= 500 ? 14 : 3)]!;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${httpStatus}: ${text.slice(0, 200)}`;
  return new GoogleApiError(httpStatus, status, message);
}

/** The base URL of a Google API, or of its emulator at `host:port`. */
export const apiBase = (service: string, version: string, emulatorHost: string | undefined): string =>
  emulatorHost ? `http://${emulatorHost}/${version}` : `https://${service}.googleapis.com/${version}`;

/** A resource name as a URL path: each segment percent-encoded (a document id may hold `#`, `?`, `%` or spaces). */
export const urlPath = (name: string): string => name.split('/').map(encodeURIComponent).join('/');
