import { AlertFactsSchema, alertSequencesKeptMax } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import { alertDetail, alertSequences } from './alerts.js';

describe('the deposits an alert names', () => {
  it('are distinct and ascending', () => {
    expect(alertSequences([9, 3, 9, 1])).toEqual({ sequences: [1, 3, 9], truncated: false });
  });

  it('stop at the most an alert keeps, the lowest first, and say the list was cut', () => {
    const many = Array.from(
      { length: alertSequencesKeptMax + 5 },
      (_, index) => alertSequencesKeptMax + 5 - index,
    );
    const kept = alertSequences(many);
    expect(kept.sequences).toHaveLength(alertSequencesKeptMax);
    expect(kept.sequences[0]).toBe(1);
    expect(kept.truncated).toBe(true);
    // A list cut once stays marked, and its facts still parse.
    expect(alertSequences(kept.sequences, kept.truncated).truncated).toBe(true);
    const facts = AlertFactsSchema.parse({ kind: 'lostCoinEvents', ...kept });
    expect(alertDetail(facts)).toMatch(/^deposit sequence 1, 2, .* and more reported lost coin events$/);
  });
});
