import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../testing/fuzz.js';
import { parseMajorAmount } from '../money/money.js';
import { AnyCodeSchema } from './code-schema.js';
import type { CodeType } from './deposit-code.js';
import {
  codeTypes,
  formatCode,
  generateCode,
  maskCode,
  parseCode,
  partialCodeState,
} from './deposit-code.js';
import { dammIsValid } from './damm.js';

/**
 * Fuzzing of every reader of codes a person keys in or a scanner sends: whatever the text, they answer
 * with a result and never throw, and they only ever accept a code that is well formed.
 */
const types = Object.keys(codeTypes) as CodeType[];

/** Text near real codes (separators, one digit off, cut short, letters in) and plain junk. */
const codeLikeText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(...'0123456789 -'.split('')), maxLength: 30 }),
  fc
    .tuple(
      fc.constantFrom(...types),
      fc.nat(),
      fc.nat({ max: 9 }),
      fc.constantFrom('', ' ', '-', 'x', '\u0660'),
    )
    .map(([type, at, digit, insert]) => {
      const code = generateCode(type);
      const position = at % code.length;
      const changed = code.slice(0, position) + String(digit) + code.slice(position + 1);
      return changed.slice(0, position) + insert + changed.slice(position);
    }),
  fc.constantFrom(...types).map((type) => formatCode(generateCode(type), '-')),
);

describe('code readers under fuzz', () => {
  it('parseCode answers every text with a result, and accepts only digits of a known type with a good check digit', () => {
    fc.assert(
      fc.property(codeLikeText, fc.subarray(types), (text, expected) => {
        const result = parseCode(text, expected.length === 0 ? undefined : expected);
        if (!result.ok) return;
        expect(result.code).toMatch(/^\d+$/);
        expect(result.code.length).toBe(codeTypes[result.type].length);
        expect(result.code.startsWith(codeTypes[result.type].prefix)).toBe(true);
        expect(dammIsValid(result.code)).toBe(true);
        if (expected.length > 0) expect(expected).toContain(result.type);
      }),
      fuzzParameters(3_000),
    );
  });

  it('the wire schema, the keypad state, the mask and the amount reader never throw', () => {
    fc.assert(
      fc.property(
        codeLikeText,
        fc.constantFrom('USD', 'JPY', 'MXN') as fc.Arbitrary<'USD'>,
        (text, currency) => {
          const wire = AnyCodeSchema.safeParse(text);
          expect(wire.success).toBe(parseCode(text).ok);
          expect(['incomplete', 'complete', 'invalid']).toContain(partialCodeState(text));
          // A masked code never shows more than the type prefix and the last four digits.
          const masked = maskCode(text);
          expect(masked.replace(/\*/g, '').length).toBeLessThanOrEqual(6);
          expect(typeof parseMajorAmount(text, currency).ok).toBe('boolean');
        },
      ),
      fuzzParameters(3_000),
    );
  });
});
