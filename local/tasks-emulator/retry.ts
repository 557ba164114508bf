/** Cloud Tasks' retry rules (reference §3.3): the backoff formula and the stop rule. */
import type { QueueRecord } from './queue-config.ts';

/**
 * Delay before retry `k` (k = 1 after the first failed attempt): min_backoff doubled max_doublings times,
 * then growing linearly by 2^max_doublings·min_backoff, capped at max_backoff. 10s/300s/3 → 10, 20, 40, 80, 160, 240, 300.
 */
export function backoffMs(k: number, c: QueueRecord['retryConfig']): number {
  const { minBackoffMs: min, maxBackoffMs: max, maxDoublings: d } = c;
  return Math.min(max, k - 1 <= d ? min * 2 ** (k - 1) : min * 2 ** d * (k - d));
}

/** Whether to give up after `attempts` attempts, `elapsedMs` after the first one: both limits must be met. */
export function shouldStop(attempts: number, elapsedMs: number, c: QueueRecord['retryConfig']): boolean {
  const a = c.maxAttempts === -1 ? null : attempts >= c.maxAttempts;
  const d = c.maxRetryDurationMs === 0 ? null : elapsedMs >= c.maxRetryDurationMs;
  if (a === null && d === null) return false;
  if (a === null) return d!;
  if (d === null) return a;
  return a && d;
}

/** A `Retry-After` header (seconds or an HTTP date) in ms from `now`, or undefined. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
