import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, csvText } from '../../web/ops/csv.js';

/** A minimal RFC 4180 reader, to check that what the console writes reads back field for field. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += char;
  }
  return rows;
}

describe('settlement CSV', () => {
  it('quotes separators, quotes and line breaks, and defuses spreadsheet formulas', () => {
    expect(csvField('Corner Shop')).toBe('Corner Shop');
    expect(csvField('Shop, Main St')).toBe('"Shop, Main St"');
    expect(csvField('The "Best" Shop')).toBe('"The ""Best"" Shop"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-5)).toBe('-5');
    expect(csvText([['a', 1]])).toBe('a,1\r\n');
  });

  it('reads back exactly what was written, for any text that does not start like a formula', () => {
    const safeText = fc.string().filter((text) => !/^[=+\-@]/.test(text));
    fc.assert(
      fc.property(
        fc.array(fc.array(safeText, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }),
        (rows) => {
          expect(parseCsv(csvText(rows))).toEqual(rows);
        },
      ),
    );
  });
});
