/** proto3 JSON encoding helpers: durations, timestamps and enums, as Cloud Tasks' REST surface uses them. */
import { invalid } from './errors.ts';

const DURATION = /^(-?\d+)(?:\.(\d{1,9}))?s$/;

/** Parses a proto3 JSON Duration (`"10s"`, `"0.100s"`) into milliseconds; also accepts `{seconds, nanos}`. */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === 'object' && value !== null) {
    const { seconds = 0, nanos = 0 } = value as { seconds?: number | string; nanos?: number };
    return Number(seconds) * 1000 + Number(nanos) / 1e6;
  }
  const m = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!m)
    throw invalid(
      `Invalid value at '${field}' (type.googleapis.com/google.protobuf.Duration), Field '${field}', ` +
        "Illegal duration format; duration must end with 's'",
    );
  const frac = (m[2] ?? '').padEnd(9, '0');
  const sign = m[1]!.startsWith('-') ? -1 : 1;
  return Number(m[1]) * 1000 + (sign * Number(frac)) / 1e6;
}

/** Formats milliseconds as a proto3 JSON Duration: `"600s"`, `"0.100s"`, `"1.500s"`. */
export function formatDuration(ms: number): string {
  const nanos = Math.round(ms * 1e6);
  const s = Math.trunc(nanos / 1e9);
  const rest = Math.abs(nanos % 1e9);
  if (rest === 0) return `${s}s`;
  const digits = rest % 1e6 === 0 ? 3 : rest % 1e3 === 0 ? 6 : 9;
  const frac = String(rest).padStart(9, '0').slice(0, digits);
  return `${nanos < 0 && s === 0 ? '-' : ''}${s}.${frac}s`;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;

/** Parses an RFC 3339 timestamp (or `{seconds, nanos}`) into epoch milliseconds with microsecond precision. */
export function parseTimestamp(value: unknown, field: string): number {
  if (typeof value === 'object' && value !== null) {
    const { seconds = 0, nanos = 0 } = value as { seconds?: number | string; nanos?: number };
    return Number(seconds) * 1000 + Math.trunc(Number(nanos) / 1e3) / 1e3;
  }
  const m = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  const base = m ? Date.parse(`${m[1]}${m[3]!.toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(base))
    throw invalid(
      `Invalid value at '${field}' (type.googleapis.com/google.protobuf.Timestamp), Field '${field}', ` +
        `Invalid time format: ${String(value)}`,
    );
  const micros = Number((m[2] ?? '').padEnd(6, '0').slice(0, 6));
  return base + micros / 1000;
}

/** Formats epoch milliseconds (fraction = microseconds) as RFC 3339 UTC: `2026-11-24T04:06:08.123456Z`. */
export function formatTimestamp(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1000);
  const iso = new Date(whole).toISOString(); // ...SS.mmmZ
  if (micros === 0) return iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso;
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

/** Reads an enum given by name or by number (the Node REST transport sends numbers, gcloud sends names). */
export function parseEnum<T extends string>(value: unknown, names: readonly T[], field: string): T {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length) return names[value]!;
  if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
  if (typeof value === 'string' && /^\d+$/.test(value)) return parseEnum(Number(value), names, field);
  throw invalid(`Invalid value at '${field}', "${String(value)}"`);
}

/** Reads an integer field that proto3 JSON may send as a number or a string. */
export function parseInt32(value: unknown, field: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw invalid(`Invalid value at '${field}' (TYPE_INT32), ${JSON.stringify(value)}`);
  return n;
}

/** Reads a double field that proto3 JSON may send as a number or a string. */
export function parseDouble(value: unknown, field: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n))
    throw invalid(`Invalid value at '${field}' (TYPE_DOUBLE), ${JSON.stringify(value)}`);
  return n;
}
