/** WooCommerce's webhook signature: `X-WC-Webhook-Signature`, base64 HMAC-SHA256 of the raw body. */
import { verifyBase64Hmac } from '../hmac-base64.ts';

export const WOOCOMMERCE_SIGNATURE_HEADER = 'X-WC-Webhook-Signature';

/**
 * Verifies a WooCommerce delivery against the webhook's secret (several during a rotation), in constant time;
 * throws a 401 `AuthError` otherwise. The body must be the bytes as received.
 */
export function verifyWooCommerceWebhook(o: {
  header: string | undefined;
  rawBody: Buffer | undefined;
  secrets: readonly string[];
}): void {
  verifyBase64Hmac({ headerName: WOOCOMMERCE_SIGNATURE_HEADER, ...o });
}
