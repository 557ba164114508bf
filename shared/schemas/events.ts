/**
 * The storefront webhook contract: the events a storefront posts to `storefront-webhook`. The JSON Schema
 * published in docs/ is generated from these schemas.
 */
import { z } from 'zod';
import { Country, Currency, Email, Locale, Money, Timestamp, holds } from './money.ts';

/** An id that is also a Firestore document id: letters, digits and `._:~@+=-`, not `.`, `..` or `__x__`. */
const Id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:~@+=-]+$/, 'must use only letters, digits and . _ : ~ @ + = -')
  .refine(
    holds((s: string) => s !== '.' && s !== '..' && !/^__.*__$/.test(s)),
    'is a reserved id',
  );

export const Address = z.object({
  name: z.string().min(1).max(200),
  line1: z.string().min(1).max(200),
  line2: z.string().max(200).optional(),
  city: z.string().min(1).max(100),
  region: z.string().max(100).optional(),
  /** Absent where the country has none (Hong Kong, the UAE, …) or the shop did not ask for one. */
  postalCode: z.string().min(1).max(20).optional(),
  country: Country,
});
export type Address = z.infer<typeof Address>;

export const OrderLine = z.object({
  sku: z.string().min(1).max(100),
  name: z.string().min(1).max(300),
  quantity: z.number().int().positive().max(100_000),
  unitPrice: Money,
});

export const Order = z
  .object({
    id: Id,
    number: z.string().min(1).max(50),
    createdAt: Timestamp,
    currency: Currency,
    locale: Locale.optional(),
    customer: z.object({ email: Email, name: z.string().min(1).max(200).optional() }),
    lines: z.array(OrderLine).min(1).max(500),
    subtotal: Money,
    shipping: Money,
    tax: Money,
    discount: Money.optional(),
    total: Money,
    /** Tax already inside the line prices (tax-inclusive shops): shown, never added to the total. */
    taxIncluded: Money.optional(),
    /** Absent for an order that ships nothing (digital goods, services). */
    shippingAddress: Address.optional(),
    /** The commerce platform and shop the order came from, when it came through a platform adapter. */
    source: z.object({ platform: z.enum(['shopify', 'woocommerce']), shop: z.string().min(1).max(255) }).optional(),
  })
  // Runs only when every field has its type (zod skips object refines after a type error), so it cannot throw.
  .superRefine((o, ctx) => {
    const sum = o.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
    if (o.subtotal !== sum) {
      ctx.addIssue({
        code: 'custom',
        path: ['subtotal'],
        message: `must equal the sum of quantity × unitPrice over lines (${sum})`,
      });
    }
    const total = o.subtotal + o.shipping + o.tax - (o.discount ?? 0);
    if (o.total !== total) {
      ctx.addIssue({
        code: 'custom',
        path: ['total'],
        message: `must equal subtotal + shipping + tax − discount (${total})`,
      });
    }
  });
export type Order = z.infer<typeof Order>;

export const Shipment = z.object({
  orderId: Id,
  carrier: z.string().min(1).max(100),
  trackingNumber: z.string().min(1).max(100),
  trackingUrl: z.url({ protocol: /^https?$/ }).optional(),
  shippedAt: Timestamp,
});
export type Shipment = z.infer<typeof Shipment>;

export const Cancellation = z.object({
  orderId: Id,
  reason: z.string().max(500).optional(),
  cancelledAt: Timestamp,
});
export type Cancellation = z.infer<typeof Cancellation>;

/** The order is complete (fulfilled) with no shipment to announce: a pickup, a digital good, a shop without tracking. */
export const Completion = z.object({
  orderId: Id,
  completedAt: Timestamp,
});
export type Completion = z.infer<typeof Completion>;

const envelope = { id: Id, createdAt: Timestamp };

/** A storefront event we act on. */
export const StorefrontEvent = z.discriminatedUnion('type', [
  z.object({ ...envelope, type: z.literal('order.created'), data: z.object({ order: Order }) }),
  z.object({ ...envelope, type: z.literal('order.shipped'), data: Shipment }),
  z.object({ ...envelope, type: z.literal('order.cancelled'), data: Cancellation }),
  z.object({ ...envelope, type: z.literal('order.completed'), data: Completion }),
]);
export type StorefrontEvent = z.infer<typeof StorefrontEvent>;

export type EventType = StorefrontEvent['type'];

/** The types we act on, from the union above; any other `type` is acknowledged and ignored. */
export const EVENT_TYPES: readonly EventType[] = StorefrontEvent.options.map((o) => o.shape.type.value);

/** The schema of `data` for each type we act on, so an event's envelope and data are each parsed once. */
export const EVENT_DATA: ReadonlyMap<string, z.ZodType> = new Map(
  StorefrontEvent.options.map((o) => [o.shape.type.value, o.shape.data]),
);

/**
 * A signed test delivery (`deploy.sh verify`, `npm run verify`, or a storefront checking its set-up): answered 202
 * `{"eventId","ping":true,"tasks":[]}` once its signature is good; nothing is stored, enqueued or sent.
 */
export const PingEvent = z.object({ ...envelope, type: z.literal('ping'), data: z.strictObject({}) });
export type PingEvent = z.infer<typeof PingEvent>;

/** The envelope every event has, checked before the type is looked at. */
export const EventEnvelope = z.object({ ...envelope, type: z.string().min(1).max(100), data: z.unknown() });
