/** Shopify's webhook signature: `X-Shopify-Hmac-Sha256`, base64 HMAC-SHA256 of the raw body. */
import { verifyBase64Hmac } from '../hmac-base64.ts';

export const SHOPIFY_HMAC_HEADER = 'X-Shopify-Hmac-Sha256';

/**
 * Verifies a Shopify delivery against the app's client secret or the store's webhook signing key (several during
 * a rotation), in constant time; throws a 401 `AuthError` otherwise. The body must be the bytes as received: a
 * proxy that re-serialises the JSON breaks the signature.
 */
export function verifyShopifyWebhook(o: {
  header: string | undefined;
  rawBody: Buffer | undefined;
  secrets: readonly string[];
}): void {
  verifyBase64Hmac({ headerName: SHOPIFY_HMAC_HEADER, ...o });
}
