import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Code, CodeType, RandomBytes } from './deposit-code.js';
import {
  codeTypes,
  formatCode,
  generateCode,
  maskCode,
  parseCode,
  partialCodeState,
} from './deposit-code.js';

const codeType = fc.constantFrom<CodeType>('deposit', 'slip', 'claim');

/** A deterministic byte source from a fast-check seed, so generated codes shrink and replay. */
function seededRandom(seed: number): RandomBytes {
  let state = seed >>> 0 || 1;
  return (bytes) => {
    for (let index = 0; index < bytes.length; index += 1) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      bytes[index] = state & 0xff;
    }
  };
}

const anyCode = fc
  .tuple(codeType, fc.integer())
  .map(([type, seed]) => generateCode(type, seededRandom(seed)));

describe('deposit codes', () => {
  it('have the type prefix, the type length and a valid check digit', () => {
    for (const type of Object.keys(codeTypes) as CodeType[]) {
      const code = generateCode(type);
      expect(code).toMatch(/^\d+$/);
      expect(code.startsWith(codeTypes[type].prefix)).toBe(true);
      expect(code).toHaveLength(codeTypes[type].length);
      expect(code.length).toBeLessThanOrEqual(20);
      expect(parseCode(code)).toEqual({ ok: true, code, type });
    }
  });

  it('carry at least 40 bits of randomness', () => {
    for (const { prefix, length } of Object.values(codeTypes)) {
      const randomDigits = length - prefix.length - 1;
      expect(randomDigits * Math.log2(10)).toBeGreaterThanOrEqual(40);
    }
  });

  it('parse(format(x)) = x, with any separator a person might type', () => {
    fc.assert(
      fc.property(anyCode, fc.constantFrom(' ', '-', ' - ', '  '), (code, separator) => {
        const parsed = parseCode(formatCode(code, separator));
        return parsed.ok && parsed.code === code;
      }),
      { numRuns: 1_000 },
    );
  });

  it('prints in groups of four', () => {
    expect(formatCode('4112345678901234' as Code)).toBe('4112 3456 7890 1234');
  });

  it('rejects every single-digit typo with the check-digit reason', () => {
    fc.assert(
      fc.property(anyCode, fc.nat(), fc.integer({ min: 1, max: 9 }), (code, positionSeed, shift) => {
        // Corrupt a digit after the prefix so the type is still recognised and the check digit must catch it.
        const position = 2 + (positionSeed % (code.length - 2));
        const wrong = String((Number(code[position]) + shift) % 10);
        const parsed = parseCode(code.slice(0, position) + wrong + code.slice(position + 1));
        return !parsed.ok && parsed.reason === 'checkDigit';
      }),
      { numRuns: 2_000 },
    );
  });

  it('says why anything else is refused', () => {
    const valid = generateCode('deposit');
    expect(parseCode('')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseCode(' - ')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseCode(`${valid.slice(0, 4)}x${valid.slice(4)}`)).toMatchObject({
      ok: false,
      reason: 'invalidCharacter',
      character: 'x',
      position: 4,
    });
    expect(parseCode(`${valid}\n`)).toMatchObject({ ok: false, reason: 'invalidCharacter' });
    expect(parseCode('9912345678901234')).toMatchObject({ ok: false, reason: 'unknownType' });
    expect(parseCode(valid.slice(0, 15))).toMatchObject({
      ok: false,
      reason: 'wrongLength',
      expectedLength: 16,
    });
    expect(parseCode('4'.repeat(21))).toMatchObject({ ok: false, reason: 'tooLong' });
    expect(parseCode(valid, ['claim'])).toMatchObject({ ok: false, reason: 'unknownType' });
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (input) => {
        const parsed = parseCode(input);
        return parsed.ok ? /^\d+$/.test(parsed.code) : typeof parsed.reason === 'string';
      }),
      { numRuns: 2_000 },
    );
  });

  it('are masked for logs to the prefix and the last four digits', () => {
    const code = generateCode('deposit');
    const masked = maskCode(formatCode(code));
    expect(masked).toBe(`${code.slice(0, 2)}${'*'.repeat(10)}${code.slice(-4)}`);
    expect(masked).not.toContain(code.slice(2, 12));
  });

  it('tell the keypad whether the digits so far can still become a code', () => {
    const code = generateCode('deposit');
    expect(partialCodeState('')).toBe('incomplete');
    expect(partialCodeState(code.slice(0, 7))).toBe('incomplete');
    expect(partialCodeState(code)).toBe('complete');
    const wrongLast = code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);
    expect(partialCodeState(wrongLast, ['deposit'])).toBe('invalid');
    expect(partialCodeState('99')).toBe('invalid');
    expect(partialCodeState(`${code}1`, ['deposit'])).toBe('invalid');
  });
});
