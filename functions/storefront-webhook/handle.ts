/**
 * storefront-webhook's HTTP side: the storefront's signature over the raw body, then the shared intake core
 * (`shared/intake.ts`), answered with 202. Method, size, content type and JSON are `publicEndpoint`'s.
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { accept, type IntakeDeps } from '../../shared/intake.ts';
import type { Logger } from '../../shared/log.ts';
import type { OidcClaims } from '../../shared/oidc.ts';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../shared/signature.ts';
import type { Trace } from '../../shared/trace.ts';

export interface WebhookDeps extends Omit<IntakeDeps, 'log'> {
  secrets: readonly string[];
  toleranceSeconds: number;
  now: () => number;
}

export function createWebhookHandler(d: WebhookDeps) {
  return async (req: Request, res: Response, log: Logger, _caller?: OidcClaims, trace?: Trace): Promise<void> => {
    verifyWebhookSignature({
      header: req.get(SIGNATURE_HEADER),
      rawBody: req.rawBody,
      secrets: d.secrets,
      now: d.now(),
      toleranceSeconds: d.toleranceSeconds,
    });
    const intake = {
      orders: d.orders,
      enqueue: d.enqueue,
      log,
      source: { platform: 'storefront', status: 202 },
      ...(trace ? { trace } : {}),
    };
    res.status(202).json(await accept(req.body, intake));
  };
}
