/**
 * A platform adapter's request handling, the same for every platform: verify the signature over the raw body,
 * read the delivery headers, translate the payload, then hand the event to the intake core (record, fold into the
 * order, enqueue once) and answer 200, or acknowledge an ignored delivery with 200. Platforms retry anything but a
 * 2xx, so everything we will never act on is a 2xx and everything wrong with the request a 4xx. Nothing slow runs
 * before the answer beyond recording and enqueueing (Shopify waits 5 seconds).
 */
import type { Request, Response } from '@google-cloud/functions-framework';
import type { Logger } from '../log.ts';
import type { StorefrontEvent } from '../schemas/events.ts';
import { parseExactJson } from './exact-json.ts';
import type { Translation } from './translation.ts';

/** One platform: how its deliveries are verified, read and translated. */
export interface PlatformAdapter<D extends { topic: string; shop: string; deliveryId: string | undefined }> {
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
  accept: Accept;
}

/** The handler for `publicEndpoint` (which has checked method, size and content type). */
export function createPlatformHandler<D extends { topic: string; shop: string; deliveryId: string | undefined }>(a: PlatformAdapter<D>, d: PlatformDeps) {
  return async (req: Request, res: Response, log: Logger): Promise<void> => {
    const header = (name: string) => req.get(name);
    a.verify({ header: header(a.signatureHeader), rawBody: req.rawBody, secrets: d.secrets });
    const delivery = a.delivery(header);
    const translation = a.translate(delivery, parseExactJson(req.rawBody!));
    await handOver(translation, d.accept, res, log, { platform: a.platform, topic: delivery.topic, shop: delivery.shop, deliveryId: delivery.deliveryId });
  };
}

/** The intake core's answer for one event. */
export interface Accepted {
  eventId: string;
  tasks: { queue: string; name: string; duplicate: boolean }[];
}

/** Hands one event to the intake core. */
export type Accept = (event: StorefrontEvent) => Promise<Accepted>;

/** Labels for the log line (never personal data: no emails, no addresses). */
export interface DeliveryLabels {
  platform: 'shopify' | 'woocommerce';
  topic: string;
  shop: string;
  deliveryId: string | undefined;
}

export async function handOver(t: Translation, accept: Accept, res: Response, log: Logger, labels: DeliveryLabels): Promise<void> {
  if ('ignored' in t) {
    log.info('Platform delivery acknowledged and ignored', { ...labels, reason: t.ignored });
    res.status(200).json({ ignored: true, reason: t.ignored });
    return;
  }
  const accepted = await accept(t.event);
  log.info('Platform delivery accepted', { ...labels, eventId: t.event.id, type: t.event.type, tasks: accepted.tasks.map((x) => x.name), duplicate: accepted.tasks.some((x) => x.duplicate) });
  res.status(200).json(accepted);
}
