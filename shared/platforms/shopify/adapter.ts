/** Shopify as a platform adapter: `X-Shopify-Hmac-Sha256`, the `X-Shopify-*` delivery headers, the topic translation. */
import type { PlatformAdapter } from '../hand-over.ts';
import { shopifyDelivery, type ShopifyDelivery } from './map.ts';
import { translateShopify } from './translate.ts';
import { SHOPIFY_HMAC_HEADER, verifyShopifyWebhook } from './verify.ts';

export const SHOPIFY: PlatformAdapter<ShopifyDelivery> = {
  platform: 'shopify',
  signatureHeader: SHOPIFY_HMAC_HEADER,
  verify: verifyShopifyWebhook,
  delivery: shopifyDelivery,
  translate: translateShopify,
};
