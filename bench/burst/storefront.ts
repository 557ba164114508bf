/**
 * A storefront delivering signed webhooks as Shopify does: it waits 5 s for an answer and retries a 5xx, a 429, a
 * timeout or a broken connection with a doubling backoff (here from 2 s up to 60 s, at most 14 attempts over about
 * 10 minutes, where Shopify spreads 8 retries over 4 hours: a burst finishes in minutes, and retries of requests
 * that timed out do not pile onto a busy webhook). Each delivery's attempts are kept for the report.
 */
import { signature } from '../../local/dev/demo.ts';

export interface Attempt {
  /** Epoch ms when the request was sent. */
  at: number;
  ms: number;
  /** The answer's status; absent when no answer came (`error` says why). */
  status?: number;
  error?: string;
}

export interface DeliveryResult {
  eventId: string;
  redelivery: boolean;
  attempts: Attempt[];
  /** Whether a 2xx came in the end. */
  accepted: boolean;
}

const retryable = (status: number): boolean => status >= 500 || status === 429;

export async function deliver(
  url: string,
  secret: string,
  event: { id: string },
  redelivery: boolean,
): Promise<DeliveryResult> {
  const body = JSON.stringify(event);
  const attempts: Attempt[] = [];
  for (let n = 0; n < 14; n++) {
    if (n > 0) await new Promise((r) => setTimeout(r, Math.min(60_000, 2000 * 2 ** (n - 1))));
    const at = Date.now();
    const t0 = performance.now();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-storefront-signature': signature(secret, body) },
        body,
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      attempts.push({ at, ms: performance.now() - t0, status: res.status });
      if (!retryable(res.status)) return { eventId: event.id, redelivery, attempts, accepted: res.status < 300 };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      attempts.push({ at, ms: performance.now() - t0, error: cause?.code ?? (err as Error).name });
    }
  }
  return { eventId: event.id, redelivery, attempts, accepted: false };
}
