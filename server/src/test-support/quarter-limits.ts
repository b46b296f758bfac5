import type { LimitsOverride } from '@cashin/shared';

/**
 * An operator's small USD limits for tests that must reach them with a few quarters: $10 a day for a new
 * shopper and a cash report past $15 a day (a till deposit and an offline kiosk deposit must still fit in
 * a day, so their maximums come down too).
 */
export const quarterLimits: LimitsOverride = {
  money: {
    USD: {
      tillDepositMaxMinor: 500,
      kioskOfflineDepositMaxMinor: 500,
      tiers: { 0: { walletDailyMaxMinor: 1_000 } },
      cashReportThresholdMinor: 1_500,
    },
  },
};
