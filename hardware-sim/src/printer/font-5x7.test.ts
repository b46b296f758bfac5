import { describe, expect, it } from 'vitest';
import { glyphHeight, glyphPixel, glyphWidth } from './font-5x7.js';

function rows(char: string): string[] {
  const out: string[] = [];
  for (let row = -1; row < glyphHeight; row += 1) {
    let line = '';
    for (let column = 0; column < glyphWidth; column += 1) line += glyphPixel(char, column, row) ? '#' : '.';
    out.push(line);
  }
  return out;
}

describe('5x7 receipt font', () => {
  it('draws accented letters as the base letter with the accent above', () => {
    expect(rows('ó').slice(1)).toEqual(rows('o').slice(1));
    expect(rows('ó')[0]).toBe('..##.');
    expect(rows('ñ')[0]).toBe('##.##');
    expect(rows('o')[0]).toBe('.....');
  });

  it('draws ¿ as ? upside down, and something unknown as ?', () => {
    expect(rows('¿').slice(1)).toEqual(rows('?').slice(1).reverse());
    expect(rows('€')).toEqual(rows('?'));
  });
});
