/** Our order sums from a platform's amounts, with the platform's own total as the check. */
import type { Order } from '../schemas/events.ts';
import type { Issues } from './translation.ts';

export type Sums = Pick<Order, 'subtotal' | 'shipping' | 'tax' | 'discount' | 'total'>;

/**
 * subtotal = Σ quantity × unitPrice over `lines`; the discount is the first of `discounts` (the platform's
 * readings of its discounts, most likely first) for which subtotal + shipping + tax − discount equals the
 * platform's `total`. When none does, the problem is recorded against `totalField` with every amount, in minor
 * units, so the 400 says exactly what does not add up.
 */
export function balancedSums(
  issues: Issues,
  totalField: string,
  a: { lines: Order['lines']; shipping: number; tax: number; discounts: number[]; total: number },
): Sums {
  const subtotal = a.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
  const discount = a.discounts.find((d) => subtotal + a.shipping + a.tax - d === a.total);
  if (discount === undefined) {
    const readings = a.discounts.map((d) => `${subtotal + a.shipping + a.tax - d} (discounts ${d})`).join(' or ');
    issues.add(
      totalField,
      `is ${a.total} minor units, but line items ${subtotal} + shipping ${a.shipping} + tax ${a.tax} − discounts = ` +
        `${readings}; the order cannot be shown with sums that add up`,
    );
  }
  return { subtotal, shipping: a.shipping, tax: a.tax, ...(discount ? { discount } : {}), total: a.total };
}
