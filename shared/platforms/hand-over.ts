/**
 * What a platform adapter does once it has translated a delivery: hand the event to the intake core (record,
 * fold into the order, enqueue once) and answer 200, or acknowledge an ignored delivery with 200. Platforms retry
 * anything but a 2xx, so everything we will never act on is a 2xx, and everything wrong with the request a 4xx.
 */
import type { Response } from '@google-cloud/functions-framework';
import type { Logger } from '../log.ts';
import type { StorefrontEvent } from '../schemas/events.ts';
import type { Translation } from './translation.ts';

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
