/** The parts of a WooCommerce order (REST API v3 shape, as webhooks deliver it) that the adapter reads. */
import { z } from 'zod';

const text = z.string().nullish();
const WooId = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,30}$/, 'must be a numeric id')])
  .transform(String);

export const WooAddress = z.object({
  first_name: text,
  last_name: text,
  company: text,
  address_1: text,
  address_2: text,
  city: text,
  state: text,
  postcode: text,
  country: text,
  email: text,
});
export type WooAddress = z.infer<typeof WooAddress>;

export const WooMeta = z.object({ key: z.string(), value: z.unknown() });

export const WooOrder = z.object({
  id: WooId,
  number: z.union([z.string(), z.number()]).transform(String).nullish(),
  status: z.string(),
  currency: z.string(),
  date_created_gmt: z.string(),
  date_modified_gmt: z.string(),
  date_completed_gmt: text,
  discount_total: z.string().nullish(),
  shipping_total: z.string().nullish(),
  total_tax: z.string().nullish(),
  total: z.string(),
  billing: WooAddress,
  shipping: WooAddress.nullish(),
  meta_data: z.array(WooMeta).nullish(),
  line_items: z
    .array(
      z.object({
        id: WooId,
        name: text,
        product_id: WooId.nullish(),
        variation_id: WooId.nullish(),
        quantity: z.number().int(),
        subtotal: z.string(),
        sku: text,
      }),
    )
    .min(1),
  fee_lines: z.array(z.object({ name: text, total: z.string() })).nullish(),
});
export type WooOrder = z.infer<typeof WooOrder>;
