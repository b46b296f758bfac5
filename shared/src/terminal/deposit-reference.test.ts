import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { depositReference, depositReferenceLengthMax, parseDepositReference } from './deposit-reference.js';

const terminalId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,12}$/);

describe('deposit reference', () => {
  it('reads back what it writes, and fits a receipt barcode', () => {
    fc.assert(
      fc.property(terminalId, fc.integer({ min: 1, max: 9_999_999 }), (id, sequence) => {
        const reference = depositReference(id, sequence);
        return (
          reference.length <= depositReferenceLengthMax &&
          JSON.stringify(parseDepositReference(reference)) === JSON.stringify({ terminalId: id, sequence })
        );
      }),
    );
    expect(depositReference('K0042', 1187)).toBe('K0042-1187');
  });

  it('refuses what is not a reference', () => {
    for (const text of ['', 'K0042', 'K0042-', '-12', 'K0042-0', 'K0042-12a', 'a-very-long-terminal-id-1']) {
      expect(parseDepositReference(text), text).toBeUndefined();
    }
    expect(() => depositReference('K 1', 1)).toThrow();
    expect(() => depositReference('K1', 0)).toThrow();
  });
});
