/**
 * Trace context: which Cloud Trace trace a request belongs to, read from `traceparent` (W3C, preferred) or Cloud
 * Run's `X-Cloud-Trace-Context`, or started when neither is usable; the fields that put a log entry in that trace;
 * and the `traceparent` a task carries so that its target continues the trace (Cloud Tasks passes a task's headers
 * on as they were set, `traceparent` included).
 */
import { randomBytes } from 'node:crypto';

/** The trace of one request (or of an order's journey), for one project. */
export interface Trace {
  project: string;
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** This hop's span: 16 lowercase hex digits, not all zero. */
  spanId: string;
  sampled: boolean;
}

const HEX32 = /^[\da-f]{32}$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);
/** Longer headers are not trace context we can use (a W3C `traceparent` of version 00 is 55 characters). */
const MAX_HEADER = 256;

/**
 * `traceparent` as the W3C Trace Context spec reads it: `version-traceid-parentid-flags`, lowercase hex; version
 * `ff`, an all-zero id or any other shape is unusable. A later version may append fields after the flags.
 */
export function parseTraceparent(value: string | undefined, project: string): Trace | undefined {
  if (!value || value.length > MAX_HEADER) return undefined;
  const m = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(-.*)?$/.exec(value.trim());
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return undefined;
  if (m[2] === ZERO32 || m[3] === ZERO16) return undefined;
  return { project, traceId: m[2]!, spanId: m[3]!, sampled: (parseInt(m[4]!, 16) & 1) === 1 };
}

/** `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1`, the span id a decimal 64-bit number. */
export function parseCloudTraceContext(value: string | undefined, project: string): Trace | undefined {
  if (!value || value.length > MAX_HEADER) return undefined;
  const m = /^([\da-fA-F]{32})\/(\d{1,20})(?:;o=([01]))?$/.exec(value.trim());
  if (!m) return undefined;
  const traceId = m[1]!.toLowerCase();
  const span = BigInt(m[2]!);
  if (!HEX32.test(traceId) || traceId === ZERO32 || span === 0n || span >= 2n ** 64n) return undefined;
  return { project, traceId, spanId: span.toString(16).padStart(16, '0'), sampled: m[3] === '1' };
}

/** A new random id of `bytes` bytes, in hex, never all zero. */
function randomId(bytes: number): string {
  for (;;) {
    const id = randomBytes(bytes).toString('hex');
    if (/[^0]/.test(id)) return id;
  }
}

/** Starts a new trace (not sampled: nothing exports its spans). */
export function startTrace(project: string): Trace {
  return { project, traceId: randomId(16), spanId: randomId(8), sampled: false };
}

/**
 * The trace a request continues: its `traceparent`, else its `X-Cloud-Trace-Context`, else a new one. Malformed,
 * all-zero or oversized values are ignored, never an error. `header` reads a request header case-insensitively.
 */
export function requestTrace(header: (name: string) => string | undefined, project: string): Trace {
  return (
    parseTraceparent(header('traceparent'), project) ??
    parseCloudTraceContext(header('x-cloud-trace-context'), project) ??
    startTrace(project)
  );
}

/** The same trace under another trace id (an order's journey trace), keeping this hop's span. */
export function withTraceId(t: Trace, traceId: string, sampled = t.sampled): Trace {
  return HEX32.test(traceId) && traceId !== ZERO32 ? { ...t, traceId, sampled } : t;
}

/** The fields that put a log entry in the trace (Cloud Logging's special JSON keys). */
export function traceLogFields(t: Trace): Record<string, unknown> {
  return {
    'logging.googleapis.com/trace': traceResource(t.project, t.traceId),
    'logging.googleapis.com/spanId': t.spanId,
    'logging.googleapis.com/trace_sampled': t.sampled,
  };
}

/** `projects/P/traces/T`, the value of a log entry's `trace` field. */
export const traceResource = (project: string, traceId: string): string => `projects/${project}/traces/${traceId}`;

/** The `traceparent` for a call made from this hop (a task): the trace id, a new span id, the sampled flag. */
export function childTraceparent(t: Pick<Trace, 'traceId' | 'sampled'>): string {
  return `00-${t.traceId}-${randomId(8)}-${t.sampled ? '01' : '00'}`;
}
