/**
 * Platform money: decimal strings in a currency ("12.34" EUR, "1200" JPY, "1.250" KWD) to integer minor units,
 * exactly (digit arithmetic on the string, never through floating point).
 */
import { currencyExponent } from '../schemas/money.ts';

/** A money string that cannot be represented exactly; the message says why. */
export class AmountError extends Error {}

const DECIMAL = /^(-?)(\d{1,20})(?:\.(\d{1,20}))?$/;

/**
 * Converts a decimal string to integer minor units of `currency`. Digits beyond the currency's exponent are
 * accepted only when they are zeros ("1200.00" JPY is 1200); anything else throws an `AmountError`: not a plain
 * decimal ("1e3", "12,50", " 1", "0x10"), a non-zero digit the currency cannot hold ("12.345" EUR), or an amount
 * beyond `Number.MAX_SAFE_INTEGER` minor units.
 */
export function toMinorUnits(amount: unknown, currency: string): number {
  if (typeof amount !== 'string')
    throw new AmountError(`must be a decimal string, got ${amount === null ? 'null' : typeof amount}`);
  const m = DECIMAL.exec(amount);
  if (!m) throw new AmountError(`must be a decimal number such as "12.34", got ${JSON.stringify(amount.slice(0, 40))}`);
  const [, sign, whole, fraction = ''] = m as unknown as [string, string, string, string | undefined];
  const exponent = currencyExponent(currency);
  const extra = fraction.slice(exponent);
  if (/[^0]/.test(extra)) {
    throw new AmountError(
      `has ${fraction.replace(/0+$/, '').length} decimals but ${currency} has ${exponent}: ${JSON.stringify(amount)}`,
    );
  }
  const units =
    BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.slice(0, exponent).padEnd(exponent, '0') || '0');
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) throw new AmountError(`is too large: ${JSON.stringify(amount)}`);
  const n = Number(units);
  return sign && n !== 0 ? -n : n;
}

/** Formats integer minor units back as the decimal string the platforms use ("12.34", "1200", "1.250"). */
export function fromMinorUnits(units: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const digits = String(Math.abs(units)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const text = exponent ? `${whole}.${digits.slice(digits.length - exponent)}` : whole;
  return units < 0 ? `-${text}` : text;
}
