/** Shared zod building blocks: money in minor units, ISO codes, timestamps, emails. */
import { z } from 'zod';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** An ISO 4217 currency code (`EUR`, `JPY`). */
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code of three capital letters')
  .refine((c) => CURRENCIES.has(c), 'is not an ISO 4217 currency code');

/** An ISO 3166-1 alpha-2 country code (`DE`, `JP`). */
export const Country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code of two capital letters')
  .refine((c) => regionNames.of(c) !== c, 'is not an ISO 3166-1 alpha-2 country code');

/** A BCP 47 locale (`en-US`, `ja-JP`). */
export const Locale = z.string().refine((l) => {
  try {
    return Intl.getCanonicalLocales(l).length === 1;
  } catch {
    return false;
  }
}, 'must be a BCP 47 locale such as en-US');

/** Money as an integer number of the currency's minor units (cents; yen for JPY). */
export const Money = z.number().int('must be an integer amount in minor units').nonnegative().max(Number.MAX_SAFE_INTEGER);

/** An RFC 3339 timestamp with a time zone offset. */
export const Timestamp = z.iso.datetime({ offset: true, message: 'must be an RFC 3339 timestamp' });

export const Email = z.email({ message: 'must be an email address' }).max(254);
