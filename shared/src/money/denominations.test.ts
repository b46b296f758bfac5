import { describe, expect, it } from 'vitest';
import { currencyCodes } from './currency.js';
import { denominationForCcTalkId, denominations, denominationsOf } from './denominations.js';

describe('denominations', () => {
  it('gives every currency coins and bills, each id unique', () => {
    for (const currency of currencyCodes) {
      expect(denominationsOf(currency, 'coin').length).toBeGreaterThan(0);
      expect(denominationsOf(currency, 'bill').length).toBeGreaterThan(0);
    }
    const ids = denominations.map((d) => d.ccTalkId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses ccTalk id shapes: 6 characters for coins, 7 for bills, country first', () => {
    for (const d of denominations) {
      expect(d.ccTalkId).toHaveLength(d.kind === 'coin' ? 6 : 7);
      expect(d.ccTalkId.slice(0, 2)).toBe(d.currency.slice(0, 2));
      expect(Number.isSafeInteger(d.valueMinor) && d.valueMinor > 0).toBe(true);
    }
  });

  it('maps what a device reports to a value', () => {
    expect(denominationForCcTalkId('US025A')).toMatchObject({
      currency: 'USD',
      kind: 'coin',
      valueMinor: 25,
    });
    expect(denominationForCcTalkId('MX010A')).toMatchObject({ currency: 'MXN', valueMinor: 1000 });
    expect(denominationForCcTalkId('US0020A')).toMatchObject({ kind: 'bill', valueMinor: 2000 });
    // A later issue of the same coin, and the padding devices put around ids.
    expect(denominationForCcTalkId('US025B')).toMatchObject({ valueMinor: 25 });
    expect(denominationForCcTalkId(' us025a ')).toMatchObject({ valueMinor: 25 });
    expect(denominationForCcTalkId('......')).toBeUndefined();
    expect(denominationForCcTalkId('XX999A')).toBeUndefined();
  });

  it('lists smallest first, for the itemised list', () => {
    const values = denominationsOf('USD', 'coin').map((d) => d.valueMinor);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });
});
