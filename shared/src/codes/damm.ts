/**
 * The Damm check digit (H. M. Damm, 2004): a totally anti-symmetric quasigroup of order 10. One digit
 * catches every single-digit error and every adjacent transposition, which Luhn does not (09 <-> 90).
 */
const table: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

function interim(digits: string): number {
  let state = 0;
  for (const char of digits) {
    const digit = char.charCodeAt(0) - 48;
    if (digit < 0 || digit > 9) throw new RangeError('Damm takes decimal digits only');
    state = table[state]![digit]!;
  }
  return state;
}

/** The digit to append to `digits`. */
export function dammCheckDigit(digits: string): number {
  return interim(digits);
}

/** True when `digitsWithCheck` ends in its correct Damm check digit. */
export function dammIsValid(digitsWithCheck: string): boolean {
  return digitsWithCheck.length > 0 && interim(digitsWithCheck) === 0;
}
