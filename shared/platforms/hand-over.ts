/**
 * A platform adapter's request handling, the same for every platform: verify the signature over the raw body,
 * read the delivery headers, translate the payload, then hand the event to the intake core (`accept` of
 * shared/intake.ts: record, fold into the order, enqueue once) and answer 200 with its result, or acknowledge an
 * ignored delivery with 200. Platforms retry anything but a 2xx, so everything we will never act on is a 2xx and
 * everything wrong with the request a 4xx. Nothing slow runs before the answer beyond recording and enqueueing
 * (Shopify waits 5 seconds).
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import { accept, type IntakeDeps } from '../intake.ts';
import type { Logger } from '../log.ts';
import type { OidcClaims } from '../oidc.ts';
import type { Trace } from '../trace.ts';
import { parseExactJson } from './exact-json.ts';
import type { Translation } from './translation.ts';

/** What the delivery headers say: at least the topic, the shop and the platform's delivery id. */
export interface Delivery {
  topic: string;
  shop: string;
  deliveryId: string | undefined;
}

/** One platform: how its deliveries are verified, read and translated. */
export interface PlatformAdapter<D extends Delivery> {
  platform: 'shopify' | 'woocommerce';
  signatureHeader: string;
  /** Throws a 401 `AuthError` unless `header` signs `rawBody` under one of `secrets`. */
  verify(o: { header: string | undefined; rawBody: Buffer | undefined; secrets: readonly string[] }): void;
  /** Reads the delivery headers; throws a 400 when they are unusable. */
  delivery(header: (name: string) => string | undefined): D;
  /** The event for the delivery's payload, or "ignored"; throws a 400 naming fields. */
  translate(delivery: D, body: unknown): Translation;
}

export interface PlatformDeps {
  /** Secrets the platform signs with (several during a rotation). */
  secrets: readonly string[];
  /** The intake core's clients; its log lines carry the delivery's labels (never personal data). */
  intake: Omit<IntakeDeps, 'log'>;
}

/** The handler for `publicEndpoint` (which has checked method, size, content type and JSON). */
export function createPlatformHandler<D extends Delivery>(a: PlatformAdapter<D>, d: PlatformDeps) {
  return async (req: Request, res: Response, log: Logger, _caller?: OidcClaims, trace?: Trace): Promise<void> => {
    const header = (name: string) => req.get(name);
    a.verify({ header: header(a.signatureHeader), rawBody: req.rawBody, secrets: d.secrets });
    const delivery = a.delivery(header);
    const labelled = log.child({
      fields: { platform: a.platform, topic: delivery.topic, shop: delivery.shop, deliveryId: delivery.deliveryId },
    });
    const t = a.translate(delivery, parseExactJson(req.rawBody!));
    if ('ignored' in t) {
      labelled.info('Platform delivery acknowledged and ignored', { reason: t.ignored });
      res.status(200).json({ ignored: true, reason: t.ignored });
      return;
    }
    const source = { platform: a.platform, deliveryId: delivery.deliveryId, status: 200 };
    res.status(200).json(await accept(t.event, { ...d.intake, log: labelled, source, ...(trace ? { trace } : {}) }));
  };
}
