/** Sends a burst plan to a stack's storefront-webhook on schedule, each delivery on its own (they overlap). */
import type { PlannedDelivery } from './plan.ts';
import { deliver, type DeliveryResult } from './storefront.ts';

export interface Drive {
  /** Resolves with every delivery's result once each got its final answer. */
  done: Promise<DeliveryResult[]>;
  /** Deliveries that got their final answer so far. */
  answered(): number;
}

export function drive(deliveries: PlannedDelivery[], url: string, secret: string): Drive {
  const start = Date.now();
  let answered = 0;
  const done = Promise.all(
    deliveries.map(async (d) => {
      const wait = start + d.at - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const result = await deliver(url, secret, d.event, d.redelivery);
      answered++;
      return result;
    }),
  );
  return { done, answered: () => answered };
}
