/**
 * A WooCommerce order → our `Order`, with our sums holding exactly. The mapping decisions
 * (docs/shopify-woocommerce.md, "How the money is mapped"):
 * - lines: each line item's `subtotal` (before coupons, without tax) ÷ `quantity` as the unit price; when that
 *   does not divide exactly, the line is one unit of the whole subtotal, named "<name> × <quantity>";
 *   fees with a positive total are one more line each;
 * - shipping: `shipping_total` (without tax); tax: `total_tax` (line, shipping and fee taxes, counted once;
 *   WooCommerce amounts are without tax even when the shop enters prices with tax);
 * - discount: `discount_total` (coupons, without tax) plus any negative fees;
 * - total: `total`, which must equal subtotal + shipping + tax − discount, or the delivery is a 400;
 * - names: HTML entities WooCommerce leaves in product names (`&ndash;`) are decoded;
 * - address: `shipping`, else `billing`, else none (a virtual order); no postcode is fine.
 */
import type { Address, Order } from '../../schemas/events.ts';
import { balancedSums } from '../sums.ts';
import { fullName, withAddress, type Issues } from '../translation.ts';
import { wooCommerceOrderId } from './map.ts';
import type { WooAddress, WooOrder } from './payload.ts';

/** A WooCommerce `*_gmt` date (`2017-03-22T19:28:02`, no offset) as RFC 3339 UTC. */
export const gmt = (date: string): string => (/[zZ]|[+-]\d\d:\d\d$/.test(date) ? date : `${date}Z`);

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  times: '×',
};

/** Decodes the HTML entities WooCommerce stores in names. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (m, e: string) => {
    if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? m;
    const code = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

export function wooCommerceOrder(o: WooOrder, shop: string, issues: Issues): Order {
  const c = o.currency;
  const lines: Order['lines'] = o.line_items.map((l, i) => {
    const name = decodeEntities(l.name?.trim() || `Item ${i + 1}`);
    const sku =
      l.sku?.trim() ||
      `product-${l.product_id ?? l.id}${l.variation_id && l.variation_id !== '0' ? `-${l.variation_id}` : ''}`;
    const subtotal = issues.money(l.subtotal, c, `line_items.${i}.subtotal`);
    if (l.quantity > 0 && subtotal % l.quantity === 0)
      return { sku, name, quantity: l.quantity, unitPrice: subtotal / l.quantity };
    return { sku, name: `${name} × ${l.quantity}`, quantity: 1, unitPrice: subtotal };
  });
  let negativeFees = 0;
  (o.fee_lines ?? []).forEach((f, i) => {
    const amount = issues.money(f.total.replace(/^-/, ''), c, `fee_lines.${i}.total`);
    if (f.total.startsWith('-')) negativeFees += amount;
    else if (amount > 0)
      lines.push({ sku: 'fee', name: decodeEntities(f.name?.trim() || 'Fee'), quantity: 1, unitPrice: amount });
  });
  const sums = balancedSums(issues, 'total', {
    lines,
    shipping: issues.money(o.shipping_total ?? '0', c, 'shipping_total'),
    tax: issues.money(o.total_tax ?? '0', c, 'total_tax'),
    discounts: [issues.money(o.discount_total ?? '0', c, 'discount_total') + negativeFees],
    total: issues.money(o.total, c, 'total'),
  });
  const email = o.billing.email?.trim();
  if (!email) issues.add('billing.email', 'is required to email the customer');
  return {
    id: wooCommerceOrderId(shop, o.id),
    number: o.number?.trim() || o.id,
    createdAt: gmt(o.date_created_gmt),
    currency: c,
    customer: { email: email ?? '', name: fullName(o.billing.first_name, o.billing.last_name) },
    lines,
    ...sums,
    ...withAddress(
      o.shipping?.address_1?.trim()
        ? addressOf(o.shipping, 'shipping', issues)
        : o.billing.address_1?.trim()
          ? addressOf(o.billing, 'billing', issues)
          : undefined,
    ),
    source: { platform: 'woocommerce', shop },
  };
}

function addressOf(a: WooAddress, field: string, issues: Issues): Address {
  // No postcode is fine: many countries have none (Hong Kong, the UAE, …).
  for (const k of ['city', 'country'] as const)
    if (!a[k]?.trim()) issues.add(`${field}.${k}`, 'is required with an address');
  return {
    name: fullName(a.first_name, a.last_name) ?? a.company?.trim() ?? '',
    line1: a.address_1?.trim() ?? '',
    ...(a.address_2?.trim() ? { line2: a.address_2.trim() } : {}),
    city: a.city?.trim() ?? '',
    ...(a.state?.trim() ? { region: a.state.trim() } : {}),
    ...(a.postcode?.trim() ? { postalCode: a.postcode.trim() } : {}),
    country: a.country?.trim().toUpperCase() ?? '',
  };
}
