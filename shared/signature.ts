/**
 * Storefront webhook signatures: `X-Storefront-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 * Several `v1=` entries and several secrets are accepted, so secrets can be rotated without downtime.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthError } from './errors.ts';

export const SIGNATURE_HEADER = 'x-storefront-signature';

/** The header value for `rawBody` signed with `secret` at `t` (unix seconds). */
export function signWebhook(secret: string, rawBody: Buffer | string, t: number): string {
  return `t=${t},v1=${hmac(secret, t, rawBody)}`;
}

function hmac(secret: string, t: number | string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest('hex');
}

/**
 * Checks a signature header against the raw body: the timestamp within `toleranceSeconds` of now (both ways, to
 * stop replays), and one `v1` matching one secret (constant-time). Throws a 401 `AuthError` saying what is wrong.
 */
export function verifyWebhookSignature(options: {
  header: string | undefined;
  rawBody: Buffer | undefined;
  secrets: readonly string[];
  now: number;
  toleranceSeconds?: number;
}): void {
  const { header, rawBody, secrets } = options;
  if (!header) throw new AuthError('unauthenticated', 'Missing X-Storefront-Signature header');
  if (!rawBody) throw new AuthError('unauthenticated', 'Missing request body to verify the signature against');
  const parts = header.split(',').map((p) => p.trim().split('=') as [string, string?]);
  const t = parts.find(([k]) => k === 't')?.[1];
  const v1 = parts
    .filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v))
    .map(([, v]) => Buffer.from(v!, 'hex'));
  if (!t || !/^\d{1,12}$/.test(t) || v1.length === 0) {
    throw new AuthError(
      'unauthenticated',
      'Malformed X-Storefront-Signature header: expected t=<unix seconds>,v1=<hex HMAC-SHA256>',
    );
  }
  const tolerance = options.toleranceSeconds ?? 300;
  const age = Math.floor(options.now / 1000) - Number(t);
  if (Math.abs(age) > tolerance) {
    throw new AuthError(
      'unauthenticated',
      `Signature timestamp is ${Math.abs(age)} s ${age > 0 ? 'old' : 'in the future'}; the limit is ${tolerance} s`,
    );
  }
  const ok = secrets.some((secret) => {
    const expected = Buffer.from(hmac(secret, t, rawBody), 'hex');
    return v1.some((sig) => sig.length === expected.length && timingSafeEqual(sig, expected));
  });
  if (!ok) throw new AuthError('unauthenticated', 'No X-Storefront-Signature v1 signature matches the body');
}
