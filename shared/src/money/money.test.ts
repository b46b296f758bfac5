import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyCodes } from './currency.js';
import {
  AmountMinorSchema,
  MoneyError,
  addMinor,
  addMoney,
  compareMinor,
  minorToDecimalString,
  multiplyMinor,
  parseMajorAmount,
  subtractMinor,
  sumMinor,
  sumMinorBig,
} from './money.js';

const safeInt = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const currency = fc.constantFrom(...currencyCodes);

describe('money arithmetic', () => {
  it('adds exactly or refuses: never a silent overflow', () => {
    fc.assert(
      fc.property(safeInt, safeInt, (a, b) => {
        const exact = BigInt(a) + BigInt(b);
        const fits = exact <= BigInt(Number.MAX_SAFE_INTEGER) && exact >= BigInt(Number.MIN_SAFE_INTEGER);
        if (fits) return BigInt(addMinor(a, b)) === exact;
        expect(() => addMinor(a, b)).toThrow(MoneyError);
        return true;
      }),
      { numRuns: 5_000 },
    );
  });

  it('subtracts and multiplies exactly or refuses', () => {
    fc.assert(
      fc.property(safeInt, safeInt, (a, b) => {
        const difference = BigInt(a) - BigInt(b);
        const product = BigInt(a) * BigInt(b);
        const inRange = (value: bigint) =>
          value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER);
        if (inRange(difference)) expect(BigInt(subtractMinor(a, b))).toBe(difference);
        else expect(() => subtractMinor(a, b)).toThrow(MoneyError);
        if (inRange(product)) expect(BigInt(multiplyMinor(a, b))).toBe(product);
        else expect(() => multiplyMinor(a, b)).toThrow(MoneyError);
      }),
      { numRuns: 3_000 },
    );
  });

  it('refuses fractions and non-numbers as amounts', () => {
    expect(() => addMinor(0.5, 1)).toThrow(MoneyError);
    expect(() => addMinor(Number.NaN, 1)).toThrow(MoneyError);
    expect(() => addMinor(1, Number.POSITIVE_INFINITY)).toThrow(MoneyError);
    expect(() => compareMinor(1.1, 1)).toThrow(MoneyError);
  });

  it('sums many amounts without losing a unit, with bigint past 2^53', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { maxLength: 200 }), (amounts) => {
        const exact = amounts.reduce((total, amount) => total + BigInt(amount), 0n);
        return BigInt(sumMinor(amounts)) === exact && sumMinorBig(amounts) === exact;
      }),
    );
    const huge = [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    expect(() => sumMinor(huge)).toThrow(MoneyError);
    expect(sumMinorBig(huge)).toBe(2n * BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('compares', () => {
    fc.assert(
      fc.property(
        safeInt,
        safeInt,
        (a, b) => compareMinor(a, b) === Math.sign(a - b) || (a === b && compareMinor(a, b) === 0),
      ),
    );
  });

  it('refuses to add two currencies', () => {
    expect(() => addMoney({ amountMinor: 1, currency: 'USD' }, { amountMinor: 1, currency: 'MXN' })).toThrow(
      MoneyError,
    );
    expect(addMoney({ amountMinor: 1, currency: 'USD' }, { amountMinor: 2, currency: 'USD' })).toEqual({
      amountMinor: 3,
      currency: 'USD',
    });
  });

  it('writes exact decimal text and parses it back', () => {
    expect(minorToDecimalString(123456, 'USD')).toBe('1234.56');
    expect(minorToDecimalString(5, 'USD')).toBe('0.05');
    expect(minorToDecimalString(-5, 'MXN')).toBe('-0.05');
    expect(minorToDecimalString(500, 'JPY')).toBe('500');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), currency, (amountMinor, code) => {
        const parsed = parseMajorAmount(minorToDecimalString(amountMinor, code), code);
        return parsed.ok && parsed.amountMinor === amountMinor;
      }),
      { numRuns: 2_000 },
    );
  });

  it('parses what a clerk keys in, and says why it refuses', () => {
    expect(parseMajorAmount('20', 'USD')).toEqual({ ok: true, amountMinor: 2000 });
    expect(parseMajorAmount('20.5', 'USD')).toEqual({ ok: true, amountMinor: 2050 });
    expect(parseMajorAmount('1,250.00', 'MXN')).toEqual({ ok: true, amountMinor: 125000 });
    expect(parseMajorAmount('1500', 'JPY')).toEqual({ ok: true, amountMinor: 1500 });
    expect(parseMajorAmount('', 'USD')).toMatchObject({ reason: 'empty' });
    expect(parseMajorAmount('20.001', 'USD')).toMatchObject({ reason: 'tooManyDecimals' });
    expect(parseMajorAmount('1.5', 'JPY')).toMatchObject({ reason: 'tooManyDecimals' });
    expect(parseMajorAmount('-3', 'USD')).toMatchObject({ reason: 'negative' });
    expect(parseMajorAmount('1e3', 'USD')).toMatchObject({ reason: 'notANumber' });
    // Commas only between groups of three whole digits; a decimal comma is refused, never read as 100x.
    expect(parseMajorAmount('1,250,000', 'USD')).toEqual({ ok: true, amountMinor: 125_000_000 });
    expect(parseMajorAmount('25,000.5', 'USD')).toEqual({ ok: true, amountMinor: 2_500_050 });
    for (const typed of [
      '5,00',
      '2,5',
      '25,50',
      '1,2345',
      ',500',
      '1,000,',
      '12,34.00',
      '1,,000',
      '1.000,50',
    ])
      expect(parseMajorAmount(typed, 'USD'), typed).toMatchObject({ ok: false, reason: 'notANumber' });
    expect(parseMajorAmount('99999999999999999999', 'USD')).toMatchObject({ reason: 'tooLarge' });
  });

  it('accepts only non-negative safe integers on the wire', () => {
    expect(AmountMinorSchema.safeParse(2000).success).toBe(true);
    for (const bad of [-1, 0.5, 2 ** 53, Number.NaN, '2000', null]) {
      expect(AmountMinorSchema.safeParse(bad).success).toBe(false);
    }
  });
});
