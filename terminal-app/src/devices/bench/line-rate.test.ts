import { describe, expect, it } from 'vitest';
import { ccTalkLineRate } from './line-rate.js';

describe('ccTalk line rate', () => {
  it('a 229 poll with echo at 9600 baud is 26 bytes, about 27 ms', () => {
    const rate = ccTalkLineRate(9600, true, 5);
    expect(rate.exchangeBytes).toBe(26);
    expect(rate.exchangeMs).toBeCloseTo(27.08, 2);
    expect(rate.coinsPerSecondMax).toBeCloseTo(184.6, 1);
    expect(ccTalkLineRate(9600, false, 5).exchangeBytes).toBe(21);
  });
});
