/**
 * A 5x7 bitmap font for the printable ASCII range (0x20-0x7E), the classic HD44780-style glyph set: five
 * column bytes per character, bit 0 the top row. Embedded so the receipt PNG needs no system fonts.
 */
const glyphs =
  '0000000000' +
  '00005f0000' +
  '0007000700' +
  '147f147f14' +
  '242a7f2a12' +
  '2313086462' +
  '3649552250' +
  '0005030000' +
  '001c224100' +
  '0041221c00' +
  '14083e0814' +
  '08083e0808' +
  '0050300000' +
  '0808080808' +
  '0060600000' +
  '2010080402' +
  '3e5149453e' +
  '00427f4000' +
  '4261514946' +
  '2141454b31' +
  '1814127f10' +
  '2745454539' +
  '3c4a494930' +
  '0171090503' +
  '3649494936' +
  '064949291e' +
  '0036360000' +
  '0056360000' +
  '0814224100' +
  '1414141414' +
  '0041221408' +
  '0201510906' +
  '324979413e' +
  '7e1111117e' +
  '7f49494936' +
  '3e41414122' +
  '7f4141221c' +
  '7f49494941' +
  '7f09090901' +
  '3e4149497a' +
  '7f0808087f' +
  '00417f4100' +
  '2040413f01' +
  '7f08142241' +
  '7f40404040' +
  '7f020c027f' +
  '7f0408107f' +
  '3e4141413e' +
  '7f09090906' +
  '3e4151215e' +
  '7f09192946' +
  '4649494931' +
  '01017f0101' +
  '3f4040403f' +
  '1f2040201f' +
  '3f4038403f' +
  '6314081463' +
  '0708700807' +
  '6151494543' +
  '007f414100' +
  '0204081020' +
  '0041417f00' +
  '0402010204' +
  '4040404040' +
  '0001020400' +
  '2054545478' +
  '7f48444438' +
  '3844444420' +
  '384444487f' +
  '3854545418' +
  '087e090102' +
  '0c5252523e' +
  '7f08040478' +
  '00447d4000' +
  '2040443d00' +
  '7f10284400' +
  '00417f4000' +
  '7c04180478' +
  '7c08040478' +
  '3844444438' +
  '7c14141408' +
  '081414187c' +
  '7c08040408' +
  '4854545420' +
  '043f444020' +
  '3c4040207c' +
  '1c2040201c' +
  '3c4030403c' +
  '4428102844' +
  '0c5050503c' +
  '4464544c44' +
  '0008364100' +
  '00007f0000' +
  '0041360800' +
  '1008081008';

export const glyphWidth = 5;
export const glyphHeight = 7;

function asciiPixel(code: number, column: number, row: number): boolean {
  const offset = (code - 0x20) * 10 + column * 2;
  const bits = parseInt(glyphs.slice(offset, offset + 2), 16);
  return ((bits >> row) & 1) === 1;
}

/** Accents drawn in the row above a glyph (row -1), by the combining mark NFD splits off. */
const accentColumns: Record<string, readonly number[]> = {
  '\u0301': [2, 3], // acute: á é í ó ú
  '\u0300': [1, 2], // grave: à è
  '\u0302': [1, 2, 3], // circumflex: â ê
  '\u0303': [0, 1, 3, 4], // tilde: ñ ã
  '\u0308': [1, 3], // diaeresis: ü ë
};

/**
 * Whether the pixel at (column, row) of `char`'s glyph is ink. Rows run 0-6; row -1 carries accents, so
 * Latin letters with diacritics print as their base letter with the mark above. ¿ and ¡ print as ? and !
 * upside down. Anything else outside ASCII prints as '?'.
 */
export function glyphPixel(char: string, column: number, row: number): boolean {
  const code = char.charCodeAt(0);
  if (code >= 0x20 && code <= 0x7e) return row >= 0 && asciiPixel(code, column, row);
  if (char === '¿' || char === '¡')
    return row >= 0 && asciiPixel(char === '¿' ? 0x3f : 0x21, column, glyphHeight - 1 - row);
  const [base, mark] = char.normalize('NFD');
  const baseCode = base?.charCodeAt(0) ?? 0;
  if (mark !== undefined && baseCode >= 0x41 && baseCode <= 0x7a) {
    if (row === -1) return accentColumns[mark]?.includes(column) ?? false;
    return row >= 0 && asciiPixel(baseCode, column, row);
  }
  return row >= 0 && asciiPixel(0x3f, column, row);
}
