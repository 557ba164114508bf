/**
 * shopify-webhook's logic: verify `X-Shopify-Hmac-Sha256` over the raw body, read the delivery headers, translate
 * the topic's payload (shared/platforms/shopify), hand the event to the intake core. Nothing slow happens before
 * the answer beyond recording and enqueueing, so Shopify's 5-second limit holds.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import type { Logger } from '../../shared/log.ts';
import { parseExactJson } from '../../shared/platforms/exact-json.ts';
import { handOver, type Accept } from '../../shared/platforms/hand-over.ts';
import { shopifyDelivery } from '../../shared/platforms/shopify/map.ts';
import { translateShopify } from '../../shared/platforms/shopify/translate.ts';
import { SHOPIFY_HMAC_HEADER, verifyShopifyWebhook } from '../../shared/platforms/shopify/verify.ts';

export interface ShopifyWebhookDeps {
  /** The app's client secret or the store's webhook signing key (several during a rotation). */
  secrets: readonly string[];
  accept: Accept;
}

export function createShopifyHandler(d: ShopifyWebhookDeps) {
  return async (req: Request, res: Response, log: Logger): Promise<void> => {
    const header = (name: string) => req.get(name);
    verifyShopifyWebhook({ header: header(SHOPIFY_HMAC_HEADER), rawBody: req.rawBody, secrets: d.secrets });
    const delivery = shopifyDelivery(header);
    const translation = translateShopify(delivery, parseExactJson(req.rawBody!));
    await handOver(translation, d.accept, res, log, { platform: 'shopify', ...delivery });
  };
}
