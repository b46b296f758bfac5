import { dammCheckDigit, dammIsValid } from './damm.js';

/**
 * Codes a shopper carries. Every code is numeric so it can be keyed in: a two-digit type prefix, random
 * digits from a CSPRNG, and a Damm check digit, printed in groups of four.
 *
 * - deposit: the shopper's reusable, rotatable code. 16 digits: 13 random = 43 bits. It can only put money
 *   in, and lookups are rate-limited, so 43 bits is ample.
 * - claim: a voucher for money held in suspense. It is a bearer instrument (whoever holds it redeems the
 *   money), so it carries 17 random digits = 56 bits in the full 20 digits.
 * - slip: a one-use payment slip bound to an amount and an expiry. 16 digits.
 */
export const codeTypes = {
  deposit: { prefix: '41', length: 16 },
  slip: { prefix: '63', length: 16 },
  claim: { prefix: '52', length: 20 },
} as const;

export type CodeType = keyof typeof codeTypes;

/** Digits only, type prefix first, check digit last. Build one with `generateCode` or `parseCode`. */
export type Code = string & { readonly __brand: 'Code' };

export const codeLengthMax = 20;
export const codeGroupSize = 4;

/** Fills `bytes` with CSPRNG output; injectable so tests and simulations can replay from a seed. */
export type RandomBytes = (bytes: Uint8Array) => void;

export const cryptoRandomBytes: RandomBytes = (bytes) => {
  globalThis.crypto.getRandomValues(bytes);
};

/** Uniform random decimal digits: bytes of 250 or more are discarded so every digit is equally likely. */
function randomDigits(count: number, random: RandomBytes): string {
  let digits = '';
  const buffer = new Uint8Array(count * 2);
  while (digits.length < count) {
    random(buffer);
    for (const byte of buffer) {
      if (byte < 250 && digits.length < count) digits += String(byte % 10);
    }
  }
  return digits;
}

export function generateCode(type: CodeType, random: RandomBytes = cryptoRandomBytes): Code {
  const { prefix, length } = codeTypes[type];
  const body = prefix + randomDigits(length - prefix.length - 1, random);
  return (body + String(dammCheckDigit(body))) as Code;
}

export function codeTypeOf(code: Code): CodeType {
  for (const [type, spec] of Object.entries(codeTypes) as [CodeType, (typeof codeTypes)[CodeType]][]) {
    if (code.startsWith(spec.prefix) && code.length === spec.length) return type;
  }
  throw new Error('a parsed Code always has a known type');
}

export type CodeParseFailure =
  | { ok: false; reason: 'empty' }
  | { ok: false; reason: 'invalidCharacter'; character: string; position: number }
  | { ok: false; reason: 'tooLong' }
  | { ok: false; reason: 'unknownType' }
  | { ok: false; reason: 'wrongLength'; expectedLength: number; actualLength: number }
  | { ok: false; reason: 'checkDigit' };

export type CodeParseResult = { ok: true; code: Code; type: CodeType } | CodeParseFailure;

/**
 * Reads a code as a person keys it or a scanner sends it. Spaces and dashes between digits are ignored;
 * any other character is refused, with its position in the input. `expected` narrows the accepted types.
 */
export function parseCode(input: string, expected?: readonly CodeType[]): CodeParseResult {
  let digits = '';
  for (let position = 0; position < input.length; position += 1) {
    const character = input[position]!;
    if (character >= '0' && character <= '9') digits += character;
    else if (character !== ' ' && character !== '-')
      return { ok: false, reason: 'invalidCharacter', character, position };
    if (digits.length > codeLengthMax) return { ok: false, reason: 'tooLong' };
  }
  if (digits.length === 0) return { ok: false, reason: 'empty' };
  const types = (expected ?? (Object.keys(codeTypes) as CodeType[])).filter((type) =>
    digits.startsWith(codeTypes[type].prefix),
  );
  const type = types[0];
  if (type === undefined) return { ok: false, reason: 'unknownType' };
  const expectedLength = codeTypes[type].length;
  if (digits.length !== expectedLength) {
    return { ok: false, reason: 'wrongLength', expectedLength, actualLength: digits.length };
  }
  if (!dammIsValid(digits)) return { ok: false, reason: 'checkDigit' };
  return { ok: true, code: digits as Code, type };
}

/** "4112 3456 7890 1234": groups of four for printing and for the keypad. */
export function formatCode(code: Code, separator = ' '): string {
  const groups: string[] = [];
  for (let start = 0; start < code.length; start += codeGroupSize)
    groups.push(code.slice(start, start + codeGroupSize));
  return groups.join(separator);
}

/** What logs and screens other than the shopper's own may show: the type prefix and the last four digits. */
export function maskCode(code: string): string {
  const digits = code.replace(/[^0-9]/g, '');
  if (digits.length <= 6) return '*'.repeat(digits.length);
  return `${digits.slice(0, 2)}${'*'.repeat(digits.length - 6)}${digits.slice(-4)}`;
}

/**
 * For the keypad as the shopper types: is the partial input still on its way to a valid code, complete and
 * valid, or already wrong? Lets the UI say "check the number" the moment the last digit is wrong.
 */
export type PartialCodeState = 'incomplete' | 'complete' | 'invalid';

export function partialCodeState(input: string, expected?: readonly CodeType[]): PartialCodeState {
  const digits = input.replace(/[ -]/g, '');
  if (!/^\d*$/.test(digits)) return 'invalid';
  const types = expected ?? (Object.keys(codeTypes) as CodeType[]);
  const candidates = types.filter((type) => {
    const { prefix, length } = codeTypes[type];
    return digits.length <= length && (digits.startsWith(prefix) || prefix.startsWith(digits));
  });
  if (candidates.length === 0) return 'invalid';
  const complete = candidates.find((type) => digits.length === codeTypes[type].length);
  if (complete === undefined) return 'incomplete';
  const stillGrowing = candidates.some((type) => digits.length < codeTypes[type].length);
  if (dammIsValid(digits)) return 'complete';
  return stillGrowing ? 'incomplete' : 'invalid';
}
