/** The burst's figures from what was recorded: webhook answers, webhook → email, queue rate, memory. */
import { pct, round } from '../stack.ts';
import type { Kill } from './chaos.ts';
import type { RssSample } from './observe.ts';
import type { SentEmail } from './outcome.ts';
import type { DeliveryResult } from './storefront.ts';

export interface Spread {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

const spread = (xs: number[]): Spread =>
  xs.length
    ? { count: xs.length, p50: round(pct(xs, 50)), p99: round(pct(xs, 99)), max: round(Math.max(...xs)) }
    : { count: 0, p50: 0, p99: 0, max: 0 };

/** How long after a kill (and 1 s before) webhook answers are left out of "outside kills". */
export const AFTER_KILL_MS = 10_000;

export function webhookFigures(results: DeliveryResult[], kills: Kill[]) {
  const attempts = results.flatMap((r) => r.attempts);
  const answered = attempts.filter((a) => a.status !== undefined);
  const nearKill = (at: number): boolean => kills.some((k) => at >= k.at - 1000 && at < k.at + AFTER_KILL_MS);
  return {
    deliveries: results.length,
    attempts: attempts.length,
    storefrontRetries: attempts.length - results.length,
    neverAccepted: results.filter((r) => !r.accepted).length,
    non2xx: answered.filter((a) => a.status! >= 300).length,
    noAnswer: attempts.length - answered.length,
    statuses: Object.fromEntries(
      [...new Set(answered.map((a) => a.status!))]
        .sort()
        .map((s) => [s, answered.filter((a) => a.status === s).length]),
    ),
    latencyMs: spread(answered.map((a) => a.ms)),
    outsideKillsMs: spread(answered.filter((a) => !nearKill(a.at)).map((a) => a.ms)),
  };
}

/** From the first send of an event's first delivery to its (first) email in the outbox. */
export function emailLatency(results: DeliveryResult[], sent: SentEmail[]): Spread & { unit: 'ms' } {
  const firstSend = new Map<string, number>();
  for (const r of results)
    for (const a of r.attempts) firstSend.set(r.eventId, Math.min(firstSend.get(r.eventId) ?? Infinity, a.at));
  const firstEmail = new Map<string, number>();
  for (const s of sent) if (!firstEmail.has(s.eventId)) firstEmail.set(s.eventId, s.at);
  const xs = [...firstEmail].flatMap(([id, at]) => (firstSend.has(id) ? [at - firstSend.get(id)!] : []));
  return { ...spread(xs), unit: 'ms' };
}

/** The most dispatches in any `windowMs`, against what the token bucket allows (burst + rate × window). */
export function rateFigures(times: number[], limit: { rate: number; burst: number }) {
  const sorted = [...times].sort((a, b) => a - b);
  const most = (windowMs: number): number => {
    let best = 0;
    for (let i = 0, j = 0; j < sorted.length; j++) {
      while (sorted[j]! - sorted[i]! >= windowMs) i++;
      best = Math.max(best, j - i + 1);
    }
    return best;
  };
  const span = sorted.length > 1 ? (sorted.at(-1)! - sorted[0]!) / 1000 : 0;
  return {
    dispatches: sorted.length,
    limitPerSecond: limit.rate,
    burst: limit.burst,
    meanPerSecond: span ? round(sorted.length / span, 2) : 0,
    most1s: most(1000),
    allowed1s: limit.burst + limit.rate,
    most10sPerSecond: round(most(10_000) / 10, 1),
    allowed10sPerSecond: round((limit.burst + limit.rate * 10) / 10, 1),
  };
}

/** Per part: peak RSS, and the mean RSS of the first and the last minute of the run (MiB). */
export function rssFigures(samples: RssSample[]) {
  const parts = [...new Set(samples.map((s) => s.part))];
  return Object.fromEntries(
    parts.map((part) => {
      const mine = samples.filter((s) => s.part === part);
      const t0 = mine[0]!.at;
      const t1 = mine.at(-1)!.at;
      const mean = (xs: RssSample[]): number =>
        round(xs.reduce((a, s) => a + s.kib, 0) / Math.max(1, xs.length) / 1024, 1);
      const first = mean(mine.filter((s) => s.at - t0 < 60_000));
      const last = mean(mine.filter((s) => t1 - s.at < 60_000));
      return [
        part,
        {
          peakMiB: round(Math.max(...mine.map((s) => s.kib)) / 1024, 1),
          firstMinuteMiB: first,
          lastMinuteMiB: last,
          changePercent: round(((last - first) / first) * 100),
        },
      ];
    }),
  );
}
