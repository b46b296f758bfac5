import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dammCheckDigit, dammIsValid } from './damm.js';

const digitString = (minLength: number, maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength, maxLength }).map((digits) => digits.join(''));

describe('Damm check digit', () => {
  it('matches the published worked example (572 -> 4)', () => {
    expect(dammCheckDigit('572')).toBe(4);
    expect(dammIsValid('5724')).toBe(true);
    expect(dammIsValid('5727')).toBe(false);
  });

  it('accepts every number that carries its own check digit', () => {
    fc.assert(
      fc.property(digitString(1, 19), (digits) => dammIsValid(digits + String(dammCheckDigit(digits)))),
      { numRuns: 2_000 },
    );
  });

  it('catches every single-digit error', () => {
    fc.assert(
      fc.property(
        digitString(2, 19),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (digits, positionSeed, shift) => {
          const valid = digits + String(dammCheckDigit(digits));
          const position = positionSeed % valid.length;
          const wrong = (Number(valid[position]) + shift) % 10;
          const corrupted = valid.slice(0, position) + String(wrong) + valid.slice(position + 1);
          return !dammIsValid(corrupted);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('catches every adjacent transposition of different digits', () => {
    fc.assert(
      fc.property(digitString(2, 19), fc.nat(), (digits, positionSeed) => {
        const valid = digits + String(dammCheckDigit(digits));
        const position = positionSeed % (valid.length - 1);
        const a = valid[position]!;
        const b = valid[position + 1]!;
        fc.pre(a !== b);
        const swapped = valid.slice(0, position) + b + a + valid.slice(position + 2);
        return !dammIsValid(swapped);
      }),
      { numRuns: 5_000 },
    );
  });

  it('refuses anything that is not a decimal digit', () => {
    expect(() => dammCheckDigit('12a')).toThrow(RangeError);
  });
});
