/**
 * The parts of Shopify's webhook payloads (REST Admin API shape, as sent to webhooks) that the adapter reads.
 * Unknown fields are ignored. Money stays a decimal string here; translation converts it exactly.
 */
import { z } from 'zod';

/** A Shopify id: a JSON number (kept as its exact digits by `parseExactJson`) or a digit string. */
const ShopifyId = z
  .union([z.string().regex(/^\d{1,30}$/, 'must be a numeric id'), z.number().int().nonnegative()])
  .transform(String);
const text = z.string().nullish();

export const ShopifyAddress = z.object({
  name: text,
  first_name: text,
  last_name: text,
  address1: text,
  address2: text,
  city: text,
  province: text,
  province_code: text,
  zip: text,
  country_code: text,
});
export type ShopifyAddress = z.infer<typeof ShopifyAddress>;

const Allocation = z.object({ amount: z.string() });

export const ShopifyLineItem = z.object({
  id: ShopifyId,
  variant_id: ShopifyId.nullish(),
  sku: text,
  name: text,
  title: text,
  quantity: z.number().int(),
  price: z.string(),
});

export const ShopifyShippingLine = z.object({
  title: text,
  price: z.string(),
  discount_allocations: z.array(Allocation).nullish(),
});

export const ShopifyFulfillment = z.object({
  id: ShopifyId,
  order_id: ShopifyId,
  status: text,
  created_at: z.string(),
  tracking_company: text,
  tracking_number: text,
  tracking_numbers: z.array(z.string()).nullish(),
  tracking_url: text,
  tracking_urls: z.array(z.string()).nullish(),
});
export type ShopifyFulfillment = z.infer<typeof ShopifyFulfillment>;

export const ShopifyOrder = z.object({
  id: ShopifyId,
  name: z.string().min(1),
  order_number: z.union([z.number(), z.string()]).nullish(),
  created_at: z.string(),
  currency: z.string(),
  email: text,
  contact_email: text,
  customer_locale: text,
  customer: z.object({ email: text, first_name: text, last_name: text }).nullish(),
  line_items: z.array(ShopifyLineItem).min(1),
  shipping_lines: z.array(ShopifyShippingLine).nullish(),
  taxes_included: z.boolean().nullish(),
  total_tax: z.string().nullish(),
  total_discounts: z.string().nullish(),
  total_tip_received: z.string().nullish(),
  total_price: z.string(),
  shipping_address: ShopifyAddress.nullish(),
  billing_address: ShopifyAddress.nullish(),
  cancelled_at: text,
  cancel_reason: text,
  fulfillments: z.array(ShopifyFulfillment).nullish(),
});
export type ShopifyOrder = z.infer<typeof ShopifyOrder>;
