/** gRPC status codes as Google's client libraries report them in `err.code`, and which of them mean "try again". */

export const ALREADY_EXISTS = 6;

/** Codes worth a retry: CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE. */
export const TRANSIENT_GRPC_CODES: ReadonlySet<number> = new Set([1, 2, 4, 8, 10, 13, 14]);

/** The numeric gRPC code of an error, if it has one. */
export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** An outage: a transient code, or no code at all (a network failure before the service answered). */
export function isTransient(err: unknown): boolean {
  const code = grpcCode(err);
  return code === undefined || TRANSIENT_GRPC_CODES.has(code);
}
