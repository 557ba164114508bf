/**
 * A Shopify order → our `Order`, with our sums holding exactly. The mapping decisions
 * (docs/shopify-woocommerce.md, "How the money is mapped"):
 * - lines: each line item at its undiscounted unit `price` × `quantity`; a tip is one more line ("Tip");
 * - subtotal: the sum of those lines (Shopify's `total_line_items_price`, plus any tip);
 * - shipping: the sum of `shipping_lines[].price`, before shipping discounts;
 * - tax: `total_tax` once (never the per-line or per-shipping-line `tax_lines`, which repeat it); when
 *   `taxes_included` the tax is already inside the prices, so tax is 0 and the amount goes to `taxIncluded`;
 * - discount: `total_discounts`; when Shopify leaves shipping discounts out of it, they are added back
 *   (`shipping_lines[].discount_allocations`), whichever of the two makes the order balance;
 * - total: `total_price`, which must equal subtotal + shipping + tax − discount, or the delivery is a 400 naming
 *   every amount (duties, additional fees or anything else we cannot show would land there).
 */
import type { Address, Order } from '../../schemas/events.ts';
import { balancedSums } from '../sums.ts';
import { fullName, localeOf, withAddress, type Issues } from '../translation.ts';
import type { ShopifyAddress, ShopifyOrder } from './payload.ts';

/** Our order id for a Shopify order: unique across shops. */
export const shopifyOrderId = (shop: string, id: string): string => `shopify:${shop}:${id}`;

export function shopifyOrder(o: ShopifyOrder, shop: string, issues: Issues): Order {
  const c = o.currency;
  const lines: Order['lines'] = o.line_items.map((l, i) => ({
    sku: l.sku?.trim() || (l.variant_id ? `variant-${l.variant_id}` : `line-${l.id}`),
    name: (l.name ?? l.title ?? '').trim() || `Item ${i + 1}`,
    quantity: l.quantity,
    unitPrice: issues.money(l.price, c, `line_items.${i}.price`),
  }));
  const tip = issues.money(o.total_tip_received ?? '0', c, 'total_tip_received');
  if (tip > 0) lines.push({ sku: 'tip', name: 'Tip', quantity: 1, unitPrice: tip });
  const shippingLines = o.shipping_lines ?? [];
  const shipping = shippingLines.reduce((s, l, i) => s + issues.money(l.price, c, `shipping_lines.${i}.price`), 0);
  const shippingDiscounts = shippingLines.reduce(
    (s, l, i) =>
      s +
      (l.discount_allocations ?? []).reduce(
        (t, a, j) => t + issues.money(a.amount, c, `shipping_lines.${i}.discount_allocations.${j}.amount`),
        0,
      ),
    0,
  );
  const totalTax = issues.money(o.total_tax ?? '0', c, 'total_tax');
  const discounts = issues.money(o.total_discounts ?? '0', c, 'total_discounts');
  const sums = balancedSums(issues, 'total_price', {
    lines,
    shipping,
    tax: o.taxes_included ? 0 : totalTax,
    discounts: shippingDiscounts ? [discounts, discounts + shippingDiscounts] : [discounts],
    total: issues.money(o.total_price, c, 'total_price'),
  });
  const email = o.email || o.contact_email || o.customer?.email;
  if (!email)
    issues.add('email', 'is required to email the customer (also looked at contact_email and customer.email)');
  return {
    id: shopifyOrderId(shop, o.id),
    number: o.name.replace(/^#/, '') || String(o.order_number ?? o.id),
    createdAt: o.created_at,
    currency: c,
    locale: localeOf(o.customer_locale),
    customer: { email: email ?? '', name: fullName(o.customer?.first_name, o.customer?.last_name) },
    lines,
    ...sums,
    ...(o.taxes_included && totalTax ? { taxIncluded: totalTax } : {}),
    ...withAddress(shippingAddress(o, issues)),
    source: { platform: 'shopify', shop },
  };
}

/**
 * The shipping address, else the billing address (some draft orders have only that), else none: an order that
 * ships nothing (digital goods) has neither, and its email says so.
 */
function shippingAddress(o: ShopifyOrder, issues: Issues): Address | undefined {
  const customer = fullName(o.customer?.first_name, o.customer?.last_name);
  if (o.shipping_address?.address1) return addressOf(o.shipping_address, 'shipping_address', customer, issues);
  if (o.billing_address?.address1) return addressOf(o.billing_address, 'billing_address', customer, issues);
  return undefined;
}

function addressOf(a: ShopifyAddress, field: string, fallbackName: string | undefined, issues: Issues): Address {
  // No zip is fine: many countries have no postal codes (Hong Kong, the UAE, …).
  for (const k of ['city', 'country_code'] as const) if (!a[k]?.trim()) issues.add(`${field}.${k}`, 'is required');
  return {
    name: a.name?.trim() || fullName(a.first_name, a.last_name) || fallbackName || '',
    line1: a.address1?.trim() ?? '',
    ...(a.address2?.trim() ? { line2: a.address2.trim() } : {}),
    city: a.city?.trim() ?? '',
    ...(a.province_code || a.province ? { region: (a.province_code || a.province)!.trim() } : {}),
    ...(a.zip?.trim() ? { postalCode: a.zip.trim() } : {}),
    country: a.country_code?.trim().toUpperCase() ?? '',
  };
}
