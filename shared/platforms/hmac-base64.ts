/**
 * The signature Shopify and WooCommerce both send: base64 HMAC-SHA256 of the raw request body, keyed with a
 * shared secret. No timestamp is signed, so replays are stopped by deduplication, not here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../errors.ts';

/** The base64 HMAC-SHA256 of `rawBody` keyed with `secret`: what the platform puts in its signature header. */
export function signBase64(secret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/**
 * Checks `header` (as received) against the raw body under each secret (several during a rotation), in
 * constant time. Throws a 401 `AuthError` naming the header when it is missing, malformed or matches no secret.
 */
export function verifyBase64Hmac(o: {
  headerName: string;
  header: string | undefined;
  rawBody: Buffer | undefined;
  secrets: readonly string[];
}): void {
  if (!o.header) throw new AuthError('unauthenticated', `Missing ${o.headerName} header`);
  if (!o.rawBody) throw new AuthError('unauthenticated', `Missing request body to verify ${o.headerName} against`);
  const given = /^[A-Za-z0-9+/]{43}=$/.test(o.header.trim()) ? Buffer.from(o.header.trim(), 'base64') : undefined;
  if (given?.length !== 32)
    throw new AuthError('unauthenticated', `Malformed ${o.headerName} header: expected a base64 HMAC-SHA256`);
  const body = o.rawBody;
  const ok = o.secrets.some((secret) => timingSafeEqual(given, createHmac('sha256', secret).update(body).digest()));
  if (!ok)
    throw new AuthError('unauthenticated', `${o.headerName} does not match the body under any configured secret`);
}
