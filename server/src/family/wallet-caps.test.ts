import { describe, expect, it } from 'vitest';
import { capRemainingMinor, cappedAllowance, depositRefusal, noCaps } from './wallet-caps.js';

const usage = (dayMinor: number) => ({ dayMinor, dayDeposits: 1, monthMinor: dayMinor });
const network = { remainingMinor: 50_000, remainingDeposits: 5 };

describe('wallet caps', () => {
  it.each([
    ['no caps', noCaps, 0, null],
    ['a per-deposit cap', { depositMaxMinor: 1_000, dailyMaxMinor: null }, 900, 1_000],
    ['a daily cap, partly used', { depositMaxMinor: null, dailyMaxMinor: 1_500 }, 900, 600],
    ['a daily cap, used up and passed', { depositMaxMinor: null, dailyMaxMinor: 1_500 }, 1_600, 0],
    ['both, the daily one binding', { depositMaxMinor: 1_000, dailyMaxMinor: 1_500 }, 900, 600],
    ['both, the per-deposit one binding', { depositMaxMinor: 1_000, dailyMaxMinor: 5_000 }, 900, 1_000],
    ['a daily cap of zero', { depositMaxMinor: null, dailyMaxMinor: 0 }, 0, 0],
  ] as const)('%s leaves what it leaves', (_name, caps, dayMinor, expected) => {
    expect(capRemainingMinor(caps, usage(dayMinor))).toBe(expected);
  });

  it('narrows the network allowance and never widens it', () => {
    expect(cappedAllowance(network, null)).toEqual(network);
    expect(cappedAllowance(network, 600)).toEqual({ remainingMinor: 600, remainingDeposits: 5 });
    expect(cappedAllowance({ remainingMinor: 300, remainingDeposits: 5 }, 600).remainingMinor).toBe(300);
  });

  it('refuses with the family code when the cap alone stops it, else with the network code', () => {
    expect(depositRefusal(network, 1_000, 1_000)).toBeUndefined();
    const byCap = depositRefusal(network, 1_000, 1_001);
    expect([byCap?.code, byCap?.details]).toEqual([
      'FAMILY_CAP_EXCEEDED',
      { remainingMinor: 1_000, remainingDeposits: 5 },
    ]);
    const byNetwork = depositRefusal({ remainingMinor: 500, remainingDeposits: 5 }, 1_000, 800);
    expect([byNetwork?.code, byNetwork?.details]).toEqual([
      'LIMIT_EXCEEDED',
      { remainingMinor: 500, remainingDeposits: 5 },
    ]);
    expect(depositRefusal({ remainingMinor: 50_000, remainingDeposits: 0 }, 1_000, 100)?.code).toBe(
      'LIMIT_EXCEEDED',
    );
    expect(depositRefusal(network, null, 50_001)?.code).toBe('LIMIT_EXCEEDED');
  });
});
