import { codeTypeOf, maskCode, moneyLimitsFor } from '@cashin/shared';
import type { Deps } from '../deps.js';
import { rollingDayMs, rollingMonthMs } from '../limits/allowance.js';
import { maskedName } from '../shoppers/shoppers.js';
import type { CreditDepositInput, DepositReceipt } from './credit-deposit.js';
import type { ReviewReason } from './deposit-record.js';

/**
 * The common deposit on PostgreSQL in one round trip, through the stored function of migration 006.
 * Answers undefined when the function declined (it then wrote nothing) and the general path must run.
 */
export async function postgresFastDeposit(
  deps: Deps,
  input: CreditDepositInput,
  codeHash: string,
  nowMs: number,
): Promise<DepositReceipt | undefined> {
  if (codeTypeOf(input.code) !== 'deposit') return undefined;
  const money = moneyLimitsFor(deps.limits, input.currency);
  const codeMasked = maskCode(input.code);
  const [row] = await deps.db.single<{
    outcome: 'created' | 'fallback';
    shopper_name: string | null;
    status: 'credited' | 'inReview';
    review_reason: ReviewReason | null;
    cash_report: number;
  }>('SELECT * FROM cashin_credit_deposit(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
    input.id,
    input.code,
    codeHash,
    codeMasked,
    input.amountMinor,
    input.currency,
    input.sourceAccountId,
    input.cashAlreadyTaken ? 1 : 0,
    nowMs,
    deps.limits.system.codeRotationGraceMs,
    rollingDayMs,
    rollingMonthMs,
    money.tiers[0].walletDailyMaxMinor,
    money.tiers[0].walletMonthlyMaxMinor,
    money.tiers[0].walletDepositsPerDayMax,
    money.tiers[1].walletDailyMaxMinor,
    money.tiers[1].walletMonthlyMaxMinor,
    money.tiers[1].walletDepositsPerDayMax,
    money.cashReportThresholdMinor,
  ]);
  if (row === undefined || row.outcome !== 'created') return undefined;
  return {
    result: 'created',
    depositId: input.id,
    status: row.status,
    amountMinor: input.amountMinor,
    currency: input.currency,
    codeMasked,
    maskedName: maskedName(row.shopper_name),
    reviewReason: row.review_reason,
    cashReportFlagged: row.cash_report === 1,
    claimCode: null,
    createdAtMs: nowMs,
  };
}
