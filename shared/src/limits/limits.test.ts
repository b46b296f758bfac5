import { describe, expect, it } from 'vitest';
import { LimitsError, defaultLimits, limitProblems, loadLimits, moneyLimitsFor } from './limits.js';

function problemsOf(override: unknown): string[] {
  try {
    loadLimits(override);
    return [];
  } catch (error) {
    if (error instanceof LimitsError) return error.problems;
    throw error;
  }
}

describe('limits', () => {
  it('ships coherent defaults with DESIGN section 9 figures', () => {
    expect(limitProblems(defaultLimits)).toEqual([]);
    const usd = moneyLimitsFor(loadLimits(), 'USD');
    expect(usd.tillDepositMinMinor).toBe(500);
    expect(usd.tillDepositMaxMinor).toBe(50_000);
    expect(usd.tiers[0].walletDailyMaxMinor).toBe(100_000);
    expect(usd.tiers[1].walletMonthlyMaxMinor).toBe(1_000_000);
    expect(usd.kioskOfflineUnsyncedMaxMinor).toBe(100_000);
    expect(usd.kioskOfflineOldestUnsyncedMs).toBe(72 * 3_600_000);
    const mxn = moneyLimitsFor(loadLimits(), 'MXN');
    expect(mxn.tillDepositMaxMinor).toBe(500_000);
    expect(mxn.tiers[1].walletDailyMaxMinor).toBe(5_000_000);
  });

  it('lays a partial override over the defaults', () => {
    const limits = loadLimits({
      money: { USD: { tillDepositMaxMinor: 40_000 } },
      system: { syncBatchDepositsMax: 100 },
    });
    expect(moneyLimitsFor(limits, 'USD').tillDepositMaxMinor).toBe(40_000);
    expect(moneyLimitsFor(limits, 'USD').tillDepositMinMinor).toBe(500);
    expect(limits.system.syncBatchDepositsMax).toBe(100);
  });

  it('refuses limits that contradict each other, naming each problem', () => {
    expect(problemsOf({ money: { USD: { tillDepositMinMinor: 60_000 } } })).toHaveLength(1);
    expect(
      problemsOf({ money: { MXN: { tiers: { 0: { walletDailyMaxMinor: 9_000_000 } } } } }).length,
    ).toBeGreaterThan(0);
    expect(problemsOf({ system: { ccTalkPollIntervalMs: 800 } }).join()).toMatch(/watchdog/);
    expect(problemsOf({ system: { ccTalkPollIntervalAcceptingMs: 10 } })).toHaveLength(1);
    expect(problemsOf({ system: { ccTalkPollIntervalAcceptingMs: 300 } })).toHaveLength(1);
    expect(problemsOf({ system: { nonceRetentionMs: 1_000 } })).toHaveLength(1);
    expect(problemsOf({ system: { syncBatchDepositsMax: 100_000 } })).toHaveLength(1);
    // Past the wire schema's ceiling, even with a body limit that would hold it.
    expect(
      problemsOf({ system: { syncBatchDepositsMax: 10_001, httpBodyBytesMax: 100 * 1024 * 1024 } }),
    ).toHaveLength(1);
  });

  it('refuses amounts that are not whole minor units', () => {
    expect(problemsOf({ money: { USD: { tillDepositMinMinor: 5.5 } } })).toHaveLength(1);
    expect(problemsOf({ money: { USD: { tillDepositMinMinor: -1 } } })).toHaveLength(1);
    expect(problemsOf({ money: { XYZ: {} } }).length).toBeGreaterThan(0);
  });
});
