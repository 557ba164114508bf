import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmountError, fromMinorUnits, toMinorUnits } from '../../../shared/platforms/minor-units.ts';
import { currencyExponent } from '../../../shared/schemas/money.ts';

describe('toMinorUnits', () => {
  it.each([
    ['12.34', 'EUR', 1234],
    ['0.10', 'EUR', 10],
    ['0.1', 'EUR', 10],
    ['7', 'EUR', 700],
    ['19.99', 'USD', 1999],
    ['1200', 'JPY', 1200],
    ['1200.00', 'JPY', 1200],
    ['1.250', 'KWD', 1250],
    ['0.005', 'BHD', 5],
    ['3.5', 'KWD', 3500],
    ['2500', 'IQD', 2500000],
    ['-5.00', 'EUR', -500],
    ['-0.00', 'EUR', 0],
    ['90071992547409.91', 'USD', 9007199254740991],
    ['0.29', 'USD', 29], // 0.29 * 100 is 28.999999999999996 in floating point
    ['1.005', 'KWD', 1005],
  ])('%s %s is %d', (amount, currency, units) => {
    expect(toMinorUnits(amount, currency)).toBe(units);
  });

  it.each([
    ['12.345', 'EUR', /has 3 decimals but EUR has 2/],
    ['1200.5', 'JPY', /has 1 decimals but JPY has 0/],
    ['1.2345', 'KWD', /has 4 decimals but KWD has 3/],
    ['12,50', 'EUR', /decimal number/],
    ['1e3', 'EUR', /decimal number/],
    [' 12.00', 'EUR', /decimal number/],
    ['12.', 'EUR', /decimal number/],
    ['.5', 'EUR', /decimal number/],
    ['+1.00', 'EUR', /decimal number/],
    ['0x10', 'EUR', /decimal number/],
    ['', 'EUR', /decimal number/],
    ['NaN', 'EUR', /decimal number/],
    ['90071992547409.92', 'USD', /too large/],
    [12.5, 'EUR', /decimal string, got number/],
    [null, 'EUR', /decimal string, got null/],
  ])('rejects %j in %s', (amount, currency, message) => {
    expect(() => toMinorUnits(amount, currency)).toThrow(AmountError);
    expect(() => toMinorUnits(amount, currency)).toThrow(message);
  });

  it('knows the ISO 4217 exponents, not CLDR display digits', () => {
    expect([
      currencyExponent('JPY'),
      currencyExponent('EUR'),
      currencyExponent('KWD'),
      currencyExponent('IQD'),
      currencyExponent('CLF'),
    ]).toEqual([0, 2, 3, 3, 4]);
  });
});

const currency = fc.constantFrom('EUR', 'USD', 'JPY', 'KRW', 'KWD', 'BHD', 'CLF', 'GBP');

describe('toMinorUnits properties', () => {
  it('round-trips every safe integer amount through its decimal string', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), currency, (units, c) => {
        expect(toMinorUnits(fromMinorUnits(units, c), c)).toBe(units);
      }),
    );
  });

  it('ignores trailing zeros and leading zeros', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e12 }), currency, fc.nat({ max: 5 }), fc.nat({ max: 3 }), (units, c, zeros, lead) => {
        const text = fromMinorUnits(units, c);
        const padded = `${'0'.repeat(lead)}${text}${currencyExponent(c) ? '' : '.'}${'0'.repeat(zeros)}`.replace(
          /\.$/,
          '',
        );
        expect(toMinorUnits(padded, c)).toBe(units);
      }),
    );
  });

  it('is additive: the sum of converted amounts is the conversion of the exact sum', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1e10 }), { maxLength: 50 }), currency, (parts, c) => {
        const total = parts.reduce((a, b) => a + b, 0);
        expect(parts.map((p) => toMinorUnits(fromMinorUnits(p, c), c)).reduce((a, b) => a + b, 0)).toBe(
          toMinorUnits(fromMinorUnits(total, c), c),
        );
      }),
    );
  });

  it('rejects any non-zero digit beyond the exponent', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e9 }), currency, fc.integer({ min: 1, max: 9 }), (units, c, digit) => {
        const text = fromMinorUnits(units, c);
        const longer = currencyExponent(c) ? `${text}${digit}` : `${text}.${digit}`;
        expect(() => toMinorUnits(longer, c)).toThrow(AmountError);
      }),
    );
  });

  it('never throws anything but an AmountError, whatever the string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), currency, (s, c) => {
        try {
          const n = toMinorUnits(s, c);
          expect(Number.isSafeInteger(n)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(AmountError);
        }
      }),
    );
  });
});
