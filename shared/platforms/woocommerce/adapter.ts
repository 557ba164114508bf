/** WooCommerce as a platform adapter: `X-WC-Webhook-Signature`, the `X-WC-Webhook-*` delivery headers, the order translation. */
import type { PlatformAdapter } from '../hand-over.ts';
import { wooCommerceDelivery, type WooCommerceDelivery } from './map.ts';
import { translateWooCommerce } from './translate.ts';
import { WOOCOMMERCE_SIGNATURE_HEADER, verifyWooCommerceWebhook } from './verify.ts';

export const WOOCOMMERCE: PlatformAdapter<WooCommerceDelivery> = {
  platform: 'woocommerce',
  signatureHeader: WOOCOMMERCE_SIGNATURE_HEADER,
  verify: verifyWooCommerceWebhook,
  delivery: wooCommerceDelivery,
  translate: translateWooCommerce,
};
