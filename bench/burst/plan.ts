/**
 * A sale-day burst as a storefront sends it: `orders` new orders at `rate` per second; a share of them shipped a few
 * seconds later, another share cancelled; a share of all events delivered twice, at once or later (as a storefront
 * redelivers when it missed an answer). Each distinct event asks for one email, except the confirmation of a
 * cancelled order, which is not sent when the cancellation is stored first (either outcome is right).
 */
import type { StorefrontEvent } from '../../shared/schemas/events.ts';
import { cancelled, created, shipped } from '../../test/support/events.ts';
import { mulberry32 } from '../../shared/seeded-random.ts';

export type EmailKind = 'order-confirmation' | 'shipping-update' | 'order-cancelled';

export interface PlannedDelivery {
  /** When to send it, in ms after the burst starts. */
  at: number;
  event: StorefrontEvent;
  /** A second delivery of an event already in the plan. */
  redelivery: boolean;
}

export interface ExpectedEmail {
  eventId: string;
  kind: EmailKind;
  /** `one`: exactly one email; `at-most-one`: none or one (a confirmation racing its order's cancellation). */
  count: 'one' | 'at-most-one';
}

export interface BurstPlan {
  deliveries: PlannedDelivery[];
  expected: ExpectedEmail[];
}

export interface PlanOptions {
  orders: number;
  /** New orders per second. */
  rate: number;
  /** Makes every id of this run unique (events, orders). */
  runId: string;
  /** @default 0.3 */
  shippedShare?: number;
  /** @default 0.1 */
  cancelledShare?: number;
  /** Share of events delivered twice. @default 0.1 */
  duplicateShare?: number;
  /** How much later a "later" redelivery comes. @default 20000 */
  laterMs?: number;
  /** @default 1 */
  seed?: number;
}

export function burstPlan(o: PlanOptions): BurstPlan {
  const rand = mulberry32(o.seed ?? 1);
  const shippedShare = o.shippedShare ?? 0.3;
  const cancelledShare = o.cancelledShare ?? 0.1;
  const duplicateShare = o.duplicateShare ?? 0.1;
  const laterMs = o.laterMs ?? 20_000;
  const deliveries: PlannedDelivery[] = [];
  const expected: ExpectedEmail[] = [];
  const add = (at: number, event: StorefrontEvent): void => {
    deliveries.push({ at, event, redelivery: false });
    const r = rand();
    if (r < duplicateShare / 2) deliveries.push({ at, event, redelivery: true });
    else if (r < duplicateShare) deliveries.push({ at: at + laterMs, event, redelivery: true });
  };
  for (let i = 0; i < o.orders; i++) {
    const at = Math.round((i * 1000) / o.rate);
    const orderId = `${o.runId}-${i}`;
    const fate = rand();
    const isCancelled = fate < cancelledShare;
    const isShipped = !isCancelled && fate < cancelledShare + shippedShare;
    const order = created(
      orderId,
      {
        number: `${o.runId.slice(-4).toUpperCase()}-${i}`,
        customer: { email: `buyer.${i}@example.com`, name: `Buyer ${i}` },
      },
      `evt-created-${orderId}`,
    );
    add(at, order);
    expected.push({ eventId: order.id, kind: 'order-confirmation', count: isCancelled ? 'at-most-one' : 'one' });
    if (isShipped) {
      const e = shipped(orderId, { trackingNumber: `1Z${i}` }, `evt-shipped-${orderId}`);
      add(at + 1000 + Math.round(rand() * 4000), e);
      expected.push({ eventId: e.id, kind: 'shipping-update', count: 'one' });
    }
    if (isCancelled) {
      const e = cancelled(orderId, `evt-cancelled-${orderId}`);
      add(at + 500 + Math.round(rand() * 2000), e);
      expected.push({ eventId: e.id, kind: 'order-cancelled', count: 'one' });
    }
  }
  deliveries.sort((a, b) => a.at - b.at);
  return { deliveries, expected };
}
