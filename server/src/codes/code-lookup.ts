import type { Code, CurrencyCode } from '@cashin/shared';
import { CodedError, codeTypeOf, moneyLimitsFor } from '@cashin/shared';
import type { Deps } from '../deps.js';
import { slipRefusal } from './slips.js';
import type { Tx } from '../storage/db.js';
import type { Allowance } from '../limits/allowance.js';
import { allowance, walletUsage } from '../limits/allowance.js';
import { capRemainingMinor, cappedAllowance, findWalletCaps } from '../family/wallet-caps.js';
import { findShopper, maskedName } from '../shoppers/shoppers.js';
import { resolveDepositCode } from './deposit-codes.js';

export const lookupWindowMs = 60_000;

export interface CodeLookup {
  readonly maskedName: string;
  readonly currency: CurrencyCode;
  /** What the wallet may still take now: the network's limits narrowed by any cap a parent set. */
  readonly allowance: Allowance;
  /** The network's limits alone, and what the parent's caps alone allow (null: no caps). */
  readonly networkAllowance: Allowance;
  readonly capRemainingMinor: number | null;
  readonly depositMinMinor: number;
  readonly depositMaxMinor: number;
  /** Set for a payment slip: the amount the slip is bound to. */
  readonly slipAmountMinor: number | null;
}

/**
 * Counts one try at a code by `caller` in the current minute and says whether it is still within
 * codeLookupsPerMinuteMax. Every route that answers differently for a right and a wrong code (a lookup, a
 * claim redemption) counts here, found or not, and commits the count even when it then fails: that is what
 * stops enumeration. Counted in the database so every server process shares the count.
 */
export async function countCodeTry(tx: Tx, deps: Deps, caller: string): Promise<boolean> {
  const nowMs = deps.clock.nowMs();
  const windowStartMs = nowMs - (nowMs % lookupWindowMs);
  const counted = await tx.get<{ lookups: number }>(
    `INSERT INTO code_lookup_windows (caller, window_start_ms, lookups) VALUES (?, ?, 1)
     ON CONFLICT (caller, window_start_ms) DO UPDATE SET lookups = code_lookup_windows.lookups + 1
     RETURNING lookups`,
    [caller, windowStartMs],
  );
  return (counted?.lookups ?? 0) <= deps.limits.system.codeLookupsPerMinuteMax;
}

/**
 * What a till or kiosk shows before taking cash; only a slip still open or a deposit code still active
 * starts a deposit. Each caller (an ops member, a clerk, a terminal) gets codeLookupsPerMinuteMax lookups
 * per minute, counted in the database so every server process shares the count; found or not, a lookup
 * counts, which is what stops enumeration.
 */
export async function lookupCode(deps: Deps, caller: string, code: Code): Promise<CodeLookup> {
  const nowMs = deps.clock.nowMs();
  const outcome = await deps.db.transaction(async (tx) => {
    if (!(await countCodeTry(tx, deps, caller))) return { error: 'RATE_LIMITED' } as const;
    let shopperId: string;
    let slipAmountMinor: number | null = null;
    if (codeTypeOf(code) === 'slip') {
      const slip = await tx.get<{
        shopper_id: string;
        amount_minor: number;
        expires_at_ms: number;
        used_transfer_id: string | null;
        cancelled_at_ms: number | null;
      }>(
        'SELECT shopper_id, amount_minor, expires_at_ms, used_transfer_id, cancelled_at_ms FROM slips WHERE code = ?',
        [code],
      );
      if (slip === undefined) return { error: 'CODE_UNKNOWN' } as const;
      const refusal = slipRefusal(slip, nowMs);
      if (refusal !== undefined) return { error: refusal } as const;
      shopperId = slip.shopper_id;
      slipAmountMinor = slip.amount_minor;
    } else {
      const resolved = await resolveDepositCode(tx, code, nowMs, deps.limits.system.codeRotationGraceMs);
      if (resolved === undefined) return { error: 'CODE_UNKNOWN' } as const;
      // A rotated code starts no new deposit: its grace is for deposits already under way when the
      // shopper rotated it (a kiosk counting, a till authorization waiting for its commit), which credit
      // through it for codeRotationGraceMs. Refused here, a lookup also no longer shows the shopper's
      // masked name to whoever holds the old code.
      if (resolved.state !== 'active') return { error: 'CODE_REVOKED' } as const;
      shopperId = resolved.shopperId;
    }
    const shopper = await findShopper(tx, shopperId);
    if (shopper === undefined) throw new Error('a code points at a shopper that does not exist');
    const usage = await walletUsage(tx, shopper.walletAccountId, nowMs);
    const money = moneyLimitsFor(deps.limits, shopper.currency);
    const networkAllowance = allowance(deps.limits, shopper.currency, shopper.kycTier, usage);
    const capRemaining = capRemainingMinor(await findWalletCaps(tx, shopper.walletAccountId), usage);
    return {
      lookup: {
        maskedName: maskedName(shopper.name),
        currency: shopper.currency,
        allowance: cappedAllowance(networkAllowance, capRemaining),
        networkAllowance,
        capRemainingMinor: capRemaining,
        depositMinMinor: money.tillDepositMinMinor,
        depositMaxMinor: money.tillDepositMaxMinor,
        slipAmountMinor,
      },
    } as const;
  });
  // The counter commits even when the lookup fails; that is the point of counting.
  if ('error' in outcome && outcome.error !== undefined) throw new CodedError(outcome.error);
  return outcome.lookup;
}
