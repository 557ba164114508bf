/** Queue configuration: defaults, validation, updateMask handling and the REST rendering of a queue. */
import { invalid } from './errors.ts';
import { normalizeHttpTarget } from './queue-target.ts';
import { formatDuration, formatTimestamp, parseDouble, parseDuration, parseInt32 } from './proto-json.ts';

/** Queue state; only pause and resume change it. */
export type QueueState = 'RUNNING' | 'PAUSED' | 'DISABLED';

/** A queue as the emulator keeps it (durations in ms, times in epoch ms). */
export interface QueueRecord {
  name: string;
  state: QueueState;
  rateLimits: { maxDispatchesPerSecond: number; maxConcurrentDispatches: number };
  retryConfig: {
    maxAttempts: number;
    maxRetryDurationMs: number;
    minBackoffMs: number;
    maxBackoffMs: number;
    maxDoublings: number;
  };
  purgeTime?: number;
  /** Fields stored and echoed: httpTarget (applied at dispatch), stackdriverLoggingConfig and appEngineRoutingOverride (not acted on). */
  passthrough: Record<string, unknown>;
}

/** Defaults of an API-created queue (reference §3.2, §3.3). */
export const QUEUE_DEFAULTS = {
  maxDispatchesPerSecond: 500,
  maxConcurrentDispatches: 1000,
  maxAttempts: 100,
  maxRetryDurationMs: 0,
  minBackoffMs: 100,
  maxBackoffMs: 3_600_000,
  maxDoublings: 16,
} as const;

/**
 * The token-bucket size derived from the rate: `clamp(ceil(maxDispatchesPerSecond), 1, 100)`.
 * Gives Cloud Tasks' documented 100 at the default 500/s and "at least the rate" below 100/s (the real formula is unpublished).
 */
export const burstSize = (rate: number): number => Math.min(100, Math.max(1, Math.ceil(rate)));

type Leaf = (q: QueueRecord, v: unknown, field: string) => void;

// Scalar fields without presence (int32, double) follow proto3: 0 means unset, so the default applies, as in
// Cloud Tasks, where a 0 sent by gcloud or omitted by the Node client cannot be told apart. Durations have presence.

const LEAVES: Record<string, Leaf> = {
  'rateLimits.maxDispatchesPerSecond': (q, v, f) => {
    const n = (v === undefined ? 0 : parseDouble(v, f)) || QUEUE_DEFAULTS.maxDispatchesPerSecond;
    if (!(n > 0 && n <= 500)) throw invalid(`Invalid value for ${f}: ${n}. It must be greater than 0 and at most 500.`);
    q.rateLimits.maxDispatchesPerSecond = n;
  },
  'rateLimits.maxConcurrentDispatches': (q, v, f) => {
    const n = (v === undefined ? 0 : parseInt32(v, f)) || QUEUE_DEFAULTS.maxConcurrentDispatches;
    if (n < 1 || n > 5000) throw invalid(`Invalid value for ${f}: ${n}. It must be between 1 and 5000.`);
    q.rateLimits.maxConcurrentDispatches = n;
  },
  'rateLimits.maxBurstSize': () => {}, // output only
  'retryConfig.maxAttempts': (q, v, f) => {
    const n = v === undefined ? 0 : parseInt32(v, f);
    if (n < -1) throw invalid(`Invalid value for ${f}: ${n}. It must be -1 (unlimited) or at least 1.`);
    q.retryConfig.maxAttempts = n === 0 ? QUEUE_DEFAULTS.maxAttempts : n;
  },
  'retryConfig.maxRetryDuration': (q, v, f) => {
    const ms = v === undefined ? 0 : parseDuration(v, f);
    if (ms < 0) throw invalid(`Invalid value for ${f}: it must not be negative.`);
    q.retryConfig.maxRetryDurationMs = Math.trunc(ms / 1000) * 1000; // "truncated to seconds"
  },
  'retryConfig.minBackoff': (q, v, f) => {
    const ms = v === undefined ? QUEUE_DEFAULTS.minBackoffMs : parseDuration(v, f);
    if (ms < 0) throw invalid(`Invalid value for ${f}: it must not be negative.`);
    q.retryConfig.minBackoffMs = ms;
  },
  'retryConfig.maxBackoff': (q, v, f) => {
    const ms = v === undefined ? QUEUE_DEFAULTS.maxBackoffMs : parseDuration(v, f);
    if (ms < 0) throw invalid(`Invalid value for ${f}: it must not be negative.`);
    q.retryConfig.maxBackoffMs = ms;
  },
  'retryConfig.maxDoublings': (q, v, f) => {
    const n = (v === undefined ? 0 : parseInt32(v, f)) || QUEUE_DEFAULTS.maxDoublings;
    if (n < 0) throw invalid(`Invalid value for ${f}: it must not be negative.`);
    q.retryConfig.maxDoublings = n;
  },
};
const PASSTHROUGH = ['stackdriverLoggingConfig', 'httpTarget', 'appEngineRoutingOverride'];
const OUTPUT_ONLY = ['name', 'state', 'purgeTime'];

const camel = (p: string): string => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Expands an updateMask (comma-separated, camelCase or snake_case) into leaf paths; empty = every field. */
export function maskPaths(mask: string | undefined): string[] {
  const all = [...Object.keys(LEAVES), ...PASSTHROUGH];
  if (!mask) return all;
  const out: string[] = [];
  for (const raw of mask
    .split(',')
    .map((p) => camel(p.trim()))
    .filter(Boolean)) {
    const leaves = all.filter((l) => l === raw || l.startsWith(`${raw}.`) || raw.startsWith(`${l}.`));
    if (leaves.length === 0 && !OUTPUT_ONLY.includes(raw)) throw invalid(`Invalid field mask path: "${raw}".`);
    out.push(...leaves);
  }
  return out;
}

/** A queue with every field at its default. */
export function defaultQueue(name: string): QueueRecord {
  const d = QUEUE_DEFAULTS;
  return {
    name,
    state: 'RUNNING',
    rateLimits: {
      maxDispatchesPerSecond: d.maxDispatchesPerSecond,
      maxConcurrentDispatches: d.maxConcurrentDispatches,
    },
    retryConfig: {
      maxAttempts: d.maxAttempts,
      maxRetryDurationMs: 0,
      minBackoffMs: d.minBackoffMs,
      maxBackoffMs: d.maxBackoffMs,
      maxDoublings: d.maxDoublings,
    },
    passthrough: {},
  };
}

/** Applies the masked fields of a REST `Queue` body to a copy of `base`; unset masked fields go back to defaults. */
export function applyQueueInput(base: QueueRecord, input: Record<string, unknown>, paths: string[]): QueueRecord {
  const q: QueueRecord = structuredClone(base);
  for (const path of paths) {
    if (PASSTHROUGH.includes(path)) {
      const v = input[path];
      if (v === undefined || v === null || (typeof v === 'object' && Object.keys(v).length === 0))
        delete q.passthrough[path];
      else q.passthrough[path] = path === 'httpTarget' ? normalizeHttpTarget(v as Record<string, unknown>) : v;
      continue;
    }
    const [group, leaf] = path.split('.') as [string, string];
    const section = input[group] as Record<string, unknown> | undefined;
    LEAVES[path]!(q, section?.[leaf], `queue.${path}`);
  }
  if (q.retryConfig.minBackoffMs > q.retryConfig.maxBackoffMs) {
    throw invalid('Invalid value for queue.retry_config: min_backoff must be less than or equal to max_backoff.');
  }
  return q;
}

/** The REST JSON of a queue, shaped like `gcloud tasks queues describe` output. */
export function renderQueue(q: QueueRecord): Record<string, unknown> {
  const r = q.retryConfig;
  return {
    name: q.name,
    rateLimits: {
      maxDispatchesPerSecond: q.rateLimits.maxDispatchesPerSecond,
      maxBurstSize: burstSize(q.rateLimits.maxDispatchesPerSecond),
      maxConcurrentDispatches: q.rateLimits.maxConcurrentDispatches,
    },
    retryConfig: {
      maxAttempts: r.maxAttempts,
      ...(r.maxRetryDurationMs > 0 ? { maxRetryDuration: formatDuration(r.maxRetryDurationMs) } : {}),
      minBackoff: formatDuration(r.minBackoffMs),
      maxBackoff: formatDuration(r.maxBackoffMs),
      maxDoublings: r.maxDoublings,
    },
    state: q.state,
    ...(q.purgeTime !== undefined ? { purgeTime: formatTimestamp(q.purgeTime) } : {}),
    ...q.passthrough,
  };
}
