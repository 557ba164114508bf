/**
 * The seed's made-up shop: a catalogue of thousands of SKUs with Zipf-like popularity, prices per
 * currency in that currency's minor units, and per-currency market facts (locale, country, tax, shipping).
 */
import { fractionDigits } from '../../shared/templates/format.ts';

export const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

/** Samples an index from cumulative weights (bisection). */
export function sampler(weights: readonly number[]): (rand: () => number) => number {
  const cdf: number[] = [];
  let sum = 0;
  for (const w of weights) cdf.push((sum += w));
  return (rand) => {
    const x = rand() * sum;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

const ADJECTIVES = [
  'Classic',
  'Organic',
  'Everyday',
  'Compact',
  'Vintage',
  'Nordic',
  'Deluxe',
  'Travel',
  'Soft',
  'Rustic',
  'Urban',
  'Mini',
];
const MATERIALS = [
  'Linen',
  'Cotton',
  'Oak',
  'Ceramic',
  'Steel',
  'Wool',
  'Bamboo',
  'Leather',
  'Glass',
  'Cast-Iron',
  'Walnut',
  'Copper',
];
// Merchant data: some names carry characters that must be escaped in HTML (`&`, `"`, `'`).
const NOUNS = [
  'Tote Bag',
  'Mug',
  'Skillet 12"',
  'Throw Blanket',
  'Salt & Pepper Mill',
  'Desk Lamp',
  'Notebook',
  "Chef's Knife",
  'Tea Towel',
  'Planter',
  'Candle',
  'Cutting Board',
  'Water Bottle',
  'Backpack',
  'Scarf',
  'Teapot',
];
const COLOURS = ['Navy', 'Sand', 'Olive', 'Charcoal', 'Rust', 'Ivory', 'Sage', 'Plum'];

export interface Sku {
  sku: string;
  name: string;
  /** Base price in euro cents; converted per currency. */
  basePrice: number;
}

/** `count` SKUs, index 0 the most popular; popularity ∝ 1 / (rank + 1)^1.07 (Zipf-like). */
export function catalogue(rand: () => number, count: number): { skus: Sku[]; sample: (rand: () => number) => Sku } {
  const skus: Sku[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${pick(rand, ADJECTIVES)} ${pick(rand, MATERIALS)} ${pick(rand, NOUNS)} — ${pick(rand, COLOURS)}`;
    // Log-uniform between €2.99 and €249.
    const basePrice = Math.round(299 * Math.exp(rand() * Math.log(24_900 / 299)));
    skus.push({ sku: `SKU-${String(i + 1).padStart(5, '0')}`, name, basePrice });
  }
  const index = sampler(skus.map((_, rank) => 1 / (rank + 1) ** 1.07));
  return { skus, sample: (r) => skus[index(r)] as Sku };
}

export interface Market {
  currency: string;
  digits: number;
  /** Units of the currency per euro. */
  rate: number;
  locales: string[];
  country: string;
  taxRate: number;
  /** Flat shipping in minor units, free at or above `freeShippingFrom` (minor units). */
  shipping: number;
  freeShippingFrom: number;
}

const KNOWN: Record<string, [rate: number, locales: string[], country: string, taxRate: number]> = {
  EUR: [1, ['de-DE', 'fr-FR', 'nl-NL', 'es-ES'], 'DE', 0.19],
  USD: [1.08, ['en-US', 'es-US'], 'US', 0.08],
  GBP: [0.85, ['en-GB'], 'GB', 0.2],
  JPY: [160, ['ja-JP'], 'JP', 0.1],
  KWD: [0.33, ['ar-KW', 'en-KW'], 'KW', 0],
  CHF: [0.95, ['de-CH', 'fr-CH'], 'CH', 0.081],
  SEK: [11.5, ['sv-SE'], 'SE', 0.25],
};

/** Market facts of a currency; an unknown currency gets rate 1 and en-US. */
export function market(currency: string): Market {
  const [rate, locales, country, taxRate] = KNOWN[currency] ?? [1, ['en-US'], 'US', 0.1];
  const digits = fractionDigits(currency);
  return {
    currency,
    digits,
    rate,
    locales,
    country,
    taxRate,
    shipping: price(495, rate, digits),
    freeShippingFrom: price(7_500, rate, digits),
  };
}

/** Converts euro cents into a "shop price" in the currency's minor units: .99 endings, whole tens of yen, … */
export function price(euroCents: number, rate: number, digits: number): number {
  const major = (euroCents / 100) * rate;
  if (digits === 0) return Math.max(10, Math.round(major / 10) * 10);
  const minor = Math.round(major * 10 ** digits);
  const step = 10 ** digits;
  // x.99 (x.990 for three digits): the price just under the next whole unit.
  return Math.max(1, Math.ceil(minor / step) * step - (digits === 3 ? 10 : 1));
}
