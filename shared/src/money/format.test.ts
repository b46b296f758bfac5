import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencies, currencyCodes } from './currency.js';
import { formatMoney } from './format.js';

const locales = ['en-US', 'es-MX', 'es-US', 'de-DE', 'fr-FR', 'en-GB', 'en-IN', 'hi-IN', 'ja-JP'];

describe('formatMoney', () => {
  it('formats every currency as Intl does for the locale', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...currencyCodes),
        fc.constantFrom(...locales),
        // Below 2^53 / 100 the float division Intl gets in this oracle is exact to the minor unit.
        fc.integer({ min: -1e12, max: 1e12 }),
        (currency, locale, amountMinor) => {
          const exponent = currencies[currency].exponent;
          const expected = new Intl.NumberFormat(locale, {
            style: 'currency',
            currency,
            minimumFractionDigits: exponent,
            maximumFractionDigits: exponent,
          }).format(amountMinor / 10 ** exponent);
          return formatMoney(amountMinor, currency, locale) === expected;
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('writes what a shopper in each market expects to read', () => {
    const nbsp = '\u00a0';
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56');
    expect(formatMoney(123456, 'MXN', 'es-MX')).toBe('$1,234.56');
    expect(formatMoney(123456, 'EUR', 'de-DE')).toBe(`1.234,56${nbsp}€`);
    expect(formatMoney(123456, 'GBP', 'en-GB')).toBe('£1,234.56');
    expect(formatMoney(123456789, 'INR', 'en-IN')).toBe('₹12,34,567.89');
    expect(formatMoney(1234, 'JPY', 'ja-JP')).toBe('￥1,234');
    expect(formatMoney(25, 'USD', 'en-US')).toBe('$0.25');
    expect(formatMoney(2000, 'USD', 'en-US', 'code')).toBe(`USD${nbsp}20.00`);
  });

  it('prints every digit of amounts past 2^53 minor units', () => {
    expect(formatMoney(12345678901234567890n, 'USD', 'en-US')).toBe('$123,456,789,012,345,678.90');
  });

  it('uses the currency default locale when none is given', () => {
    expect(formatMoney(5000, 'MXN')).toBe(formatMoney(5000, 'MXN', 'es-MX'));
  });
});
