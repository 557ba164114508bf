/** Locale-aware formatting of money and dates for email templates. */
import { currencyExponent } from '../schemas/money.ts';

/** Used when an order carries no locale. */
export const DEFAULT_LOCALE = 'en-US';

/** The number of minor-unit digits of `currency` (2 for EUR, 0 for JPY, 3 for KWD): ISO 4217, as Money is counted. */
export const fractionDigits = currencyExponent;

/** Formats an integer amount of minor units: `formatMoney(1234, 'EUR', 'de-DE')` → `12,34 €`. */
export function formatMoney(minor: number, currency: string, locale: string = DEFAULT_LOCALE): string {
  const digits = fractionDigits(currency);
  // Formatting a decimal string keeps large amounts exact (no binary floating-point division).
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  const decimal = digits ? `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}` : `${sign}${abs}`;
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return format.format(decimal as `${number}`);
}

/**
 * Formats an RFC 3339 timestamp as a date (and time) in `locale`, in the UTC offset the timestamp was written
 * with, so "2026-11-23T23:30:00+09:00" stays the 23rd for the customer who placed the order.
 */
export function formatDateTime(timestamp: string, locale: string = DEFAULT_LOCALE, withTime = false): string {
  const offset = /([+-]\d{2}:\d{2})$/.exec(timestamp)?.[1];
  const timeZone = offset && offset !== '+00:00' && offset !== '-00:00' ? offset : 'UTC';
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'long',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone,
  }).format(new Date(timestamp));
}

/** Formats an ISO calendar day (`2026-11-23`) in `locale`. */
export function formatDay(day: string, locale: string = DEFAULT_LOCALE): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

/** Makes a value safe for a one-line header such as the subject. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').trim();
}
