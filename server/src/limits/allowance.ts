import type { CurrencyCode, KycTier, Limits, MoneyLimits } from '@cashin/shared';
import { moneyLimitsFor } from '@cashin/shared';
import type { Tx } from '../storage/db.js';

const dayMs = 24 * 60 * 60 * 1000;
/** The rolling windows of DESIGN section 9. */
export const rollingDayMs = dayMs;
export const rollingMonthMs = 30 * dayMs;

export interface WalletUsage {
  readonly dayMinor: number;
  readonly dayDeposits: number;
  readonly monthMinor: number;
}

/**
 * Deposits that count against a wallet's limits over the rolling windows ending now. Reversed (voided)
 * deposits do not count: the cash went back. The index (wallet, time) bounds each scan to the window.
 */
export async function walletUsage(tx: Tx, walletAccountId: string, nowMs: number): Promise<WalletUsage> {
  return walletUsageFromRow(
    await tx.get<WalletUsageRow>(walletUsageSql, walletUsageParams(walletAccountId, nowMs)),
  );
}

/** The rolling-window query of `walletUsage`, for code that runs its statements itself (SQLite's fast path). */
export const walletUsageSql = `SELECT
       SUM(CASE WHEN created_at_ms > ? THEN amount_minor ELSE 0 END) AS day_minor,
       COUNT(CASE WHEN created_at_ms > ? THEN 1 END) AS day_count,
       SUM(amount_minor) AS month_minor
     FROM deposits
     WHERE wallet_account_id = ? AND created_at_ms > ? AND status IN ('credited', 'inReview')`;

export interface WalletUsageRow extends Record<string, unknown> {
  day_minor: number | string | null;
  day_count: number | string;
  month_minor: number | string | null;
}

export function walletUsageParams(walletAccountId: string, nowMs: number): [number, number, string, number] {
  return [nowMs - rollingDayMs, nowMs - rollingDayMs, walletAccountId, nowMs - rollingMonthMs];
}

export function walletUsageFromRow(row: WalletUsageRow | undefined): WalletUsage {
  return {
    dayMinor: Number(row?.day_minor ?? 0),
    dayDeposits: Number(row?.day_count ?? 0),
    monthMinor: Number(row?.month_minor ?? 0),
  };
}

export interface Allowance {
  /** How much more the wallet may take now without passing its daily or 30-day limit. */
  readonly remainingMinor: number;
  readonly remainingDeposits: number;
}

export function allowance(
  limits: Limits,
  currency: CurrencyCode,
  tier: KycTier,
  usage: WalletUsage,
): Allowance {
  return allowanceWithin(moneyLimitsFor(limits, currency), tier, usage);
}

/** `allowance` given the currency's limits alone (what SQLite's deposit writer thread is handed). */
export function allowanceWithin(money: MoneyLimits, tier: KycTier, usage: WalletUsage): Allowance {
  const tierLimits = money.tiers[tier];
  return {
    remainingMinor: Math.max(
      0,
      Math.min(
        tierLimits.walletDailyMaxMinor - usage.dayMinor,
        tierLimits.walletMonthlyMaxMinor - usage.monthMinor,
      ),
    ),
    remainingDeposits: Math.max(0, tierLimits.walletDepositsPerDayMax - usage.dayDeposits),
  };
}

export function allows(allowed: Allowance, amountMinor: number): boolean {
  return allowed.remainingDeposits > 0 && amountMinor <= allowed.remainingMinor;
}

/** Cash per person over the rolling day above which a currency transaction report is due. */
export function needsCashReport(
  limits: Limits,
  currency: CurrencyCode,
  usage: WalletUsage,
  amountMinor: number,
): boolean {
  return cashReportDue(moneyLimitsFor(limits, currency), usage, amountMinor);
}

/** `needsCashReport` given the currency's limits alone. */
export function cashReportDue(money: MoneyLimits, usage: WalletUsage, amountMinor: number): boolean {
  return usage.dayMinor + amountMinor > money.cashReportThresholdMinor;
}
