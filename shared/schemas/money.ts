/**
 * Shared zod building blocks: money in minor units, ISO codes, timestamps, emails.
 *
 * Every refine here must be total (return false, never throw): zod 4 runs a refine even after an earlier check of
 * the same schema failed, so a throwing predicate would turn a bad value into a 500. Format checks that a refine
 * relies on abort the rest (`abort: true`), and the predicate itself is guarded by `holds`.
 */
import { z } from 'zod';
import { once } from '../lazy.ts';

/** `pred`, answering false where it would throw. */
export function holds<T>(pred: (value: T) => boolean): (value: T) => boolean {
  return (value) => {
    try {
      return pred(value);
    } catch {
      return false;
    }
  };
}

// Made on first use: loading ICU's currency and region data would otherwise add to every cold start.
const currencies = once(() => new Set(Intl.supportedValuesOf('currency')));
const regionNames = once(() => new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' }));

/** An ISO 4217 currency code (`EUR`, `JPY`). */
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 currency code of three capital letters', abort: true })
  .refine(
    holds((c: string) => currencies().has(c)),
    'is not an ISO 4217 currency code',
  );

/**
 * ISO 3166-1 leaves these alpha-2 codes to its users (AA, QM–QZ, XA–XZ, ZZ): no country has one, though CLDR names
 * some (ZZ "Unknown Region", XK "Kosovo"). https://www.iso.org/glossary-for-iso-3166.html
 */
const USER_ASSIGNED = /^(AA|Q[M-Z]|X[A-Z]|ZZ)$/;

/** An ISO 3166-1 alpha-2 country code (`DE`, `JP`). */
export const Country = z
  .string()
  .regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 country code of two capital letters', abort: true })
  .refine((c) => !USER_ASSIGNED.test(c), {
    message: 'is a user-assigned code, not an ISO 3166-1 alpha-2 country code',
    abort: true,
  })
  // DisplayNames.of throws a RangeError on anything that is not a region code ("Germany").
  .refine(
    holds((c: string) => regionNames().of(c) !== c),
    'is not an ISO 3166-1 alpha-2 country code',
  );

/** A BCP 47 locale (`en-US`, `ja-JP`). */
export const Locale = z.string().refine(
  holds((l: string) => Intl.getCanonicalLocales(l).length === 1),
  'must be a BCP 47 locale such as en-US',
);

/**
 * ISO 4217 minor-unit exponents that are not 2. `Intl` is not used: CLDR's display digits differ from ISO 4217
 * for several currencies (IQD is 3 in ISO 4217 but 0 in CLDR; LAK, MGA and others too).
 */
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** The number of minor-unit digits of an ISO 4217 currency: 0 for JPY, 2 for EUR, 3 for KWD. */
export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/** Money as an integer number of the currency's minor units (cents; yen for JPY). */
export const Money = z
  .number()
  .int('must be an integer amount in minor units')
  .nonnegative()
  .max(Number.MAX_SAFE_INTEGER);

/** An RFC 3339 timestamp with a time zone offset. */
export const Timestamp = z.iso.datetime({ offset: true, message: 'must be an RFC 3339 timestamp' });

export const Email = z.email({ message: 'must be an email address' }).max(254);
