/**
 * woocommerce-webhook's logic: answer WooCommerce's ping, verify `X-WC-Webhook-Signature` over the raw body, read
 * the delivery headers, translate the order (shared/platforms/woocommerce), hand the event to the intake core.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import type { Handler } from '../../shared/http.ts';
import type { Logger } from '../../shared/log.ts';
import { parseExactJson } from '../../shared/platforms/exact-json.ts';
import { handOver, type Accept } from '../../shared/platforms/hand-over.ts';
import { isWooCommercePing, wooCommerceDelivery } from '../../shared/platforms/woocommerce/map.ts';
import { translateWooCommerce } from '../../shared/platforms/woocommerce/translate.ts';
import { WOOCOMMERCE_SIGNATURE_HEADER, verifyWooCommerceWebhook } from '../../shared/platforms/woocommerce/verify.ts';

export interface WooCommerceWebhookDeps {
  /** The webhook's secret (several during a rotation). */
  secrets: readonly string[];
  accept: Accept;
}

export function createWooCommerceHandler(d: WooCommerceWebhookDeps) {
  return async (req: Request, res: Response, log: Logger): Promise<void> => {
    const header = (name: string) => req.get(name);
    verifyWooCommerceWebhook({ header: header(WOOCOMMERCE_SIGNATURE_HEADER), rawBody: req.rawBody, secrets: d.secrets });
    const delivery = wooCommerceDelivery(header);
    const translation = translateWooCommerce(delivery, parseExactJson(req.rawBody!));
    await handOver(translation, d.accept, res, log, { platform: 'woocommerce', ...delivery });
  };
}

/**
 * Answers the unsigned form-encoded ping WooCommerce sends when a webhook is saved (it refuses to save the webhook
 * otherwise) with 200, before the JSON endpoint would refuse its content type. It carries nothing and changes nothing.
 */
export function answeringPing(endpoint: Handler, log: Logger): Handler {
  return async (req, res) => {
    if (req.method === 'POST' && isWooCommercePing(req.get('content-type'), req.rawBody)) {
      log.info('WooCommerce ping answered', { webhookId: req.rawBody!.toString('latin1').trim().slice('webhook_id='.length) });
      res.status(200).json({ ping: true });
      return;
    }
    await endpoint(req, res);
  };
}
