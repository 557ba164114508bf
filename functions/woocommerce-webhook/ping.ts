/**
 * WooCommerce's ping: when a webhook is saved, WooCommerce POSTs the unsigned form body `webhook_id=<id>` and
 * refuses to save the webhook unless the answer is 2xx. It carries nothing and changes nothing, so it is answered
 * 200 before the JSON endpoint would refuse its content type.
 */
import type { Handler } from '../../shared/http.ts';
import type { Logger } from '../../shared/log.ts';
import { isWooCommercePing } from '../../shared/platforms/woocommerce/map.ts';

export function answeringPing(endpoint: Handler, log: Logger): Handler {
  return async (req, res) => {
    if (req.method === 'POST' && isWooCommercePing(req.get('content-type'), req.rawBody)) {
      log.info('WooCommerce ping answered', {
        webhookId: req.rawBody!.toString('latin1').trim().slice('webhook_id='.length),
      });
      res.status(200).json({ ping: true });
      return;
    }
    await endpoint(req, res);
  };
}
