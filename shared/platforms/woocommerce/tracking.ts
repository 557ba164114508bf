/**
 * Tracking data in a WooCommerce order. WooCommerce itself has none; we read the order meta field
 * `_wc_shipment_tracking_items`, written by WooCommerce Shipment Tracking (woocommerce.com) and by Advanced
 * Shipment Tracking (AST, zorem) alike: a list of `{tracking_provider, custom_tracking_provider,
 * custom_tracking_link, tracking_number, date_shipped}`. The last entry is the latest shipment.
 */
import { z } from 'zod';
import type { Tracking } from '../shipment.ts';
import type { WooOrder } from './payload.ts';

export const TRACKING_META_KEY = '_wc_shipment_tracking_items';

const TrackingItem = z.object({
  tracking_provider: z.string().nullish(),
  custom_tracking_provider: z.string().nullish(),
  custom_tracking_link: z.string().nullish(),
  tracking_number: z.union([z.string(), z.number()]).transform(String).nullish(),
  date_shipped: z.union([z.string(), z.number()]).nullish(),
});

/** Display names of the providers' slugs; an unknown slug is shown as written. */
const PROVIDERS: Record<string, string> = {
  ups: 'UPS',
  usps: 'USPS',
  fedex: 'FedEx',
  dhl: 'DHL',
  'dhl-express': 'DHL Express',
  'dhl-us': 'DHL',
  dpd: 'DPD',
  gls: 'GLS',
  'royal-mail': 'Royal Mail',
  'canada-post': 'Canada Post',
  'australia-post': 'Australia Post',
  'deutsche-post': 'Deutsche Post',
  hermes: 'Hermes',
};

export interface WooTracking extends Tracking {
  /** When it shipped: `date_shipped` (unix seconds), else undefined. */
  shippedAt: string | undefined;
}

/** The latest shipment's tracking, or undefined when the order has no tracking number. */
export function wooCommerceTracking(o: Pick<WooOrder, 'meta_data'>): WooTracking | undefined {
  const meta = (o.meta_data ?? []).find((m) => m.key === TRACKING_META_KEY);
  const items = z.array(TrackingItem).safeParse(meta?.value);
  const item = items.success ? items.data.filter((i) => i.tracking_number?.trim()).at(-1) : undefined;
  if (!item) return undefined;
  const slug = item.tracking_provider?.trim().toLowerCase() ?? '';
  const seconds = Number(item.date_shipped);
  return {
    carrier: item.custom_tracking_provider?.trim() || PROVIDERS[slug] || item.tracking_provider?.trim(),
    number: item.tracking_number,
    url: item.custom_tracking_link,
    shippedAt:
      Number.isInteger(seconds) && seconds > 0 && seconds < 1e11 ? new Date(seconds * 1000).toISOString() : undefined,
  };
}
