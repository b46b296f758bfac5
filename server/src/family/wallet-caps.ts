import type { WalletCaps } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import type { Allowance, WalletUsage } from '../limits/allowance.js';
import { allows } from '../limits/allowance.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';

export const noCaps: WalletCaps = { depositMaxMinor: null, dailyMaxMinor: null };

interface CapsRow extends Record<string, unknown> {
  deposit_max_minor: number | string | null;
  daily_max_minor: number | string | null;
}

/**
 * The caps a parent set on a wallet (none for most wallets). `lock`, for a deposit about to be weighed
 * against them on PostgreSQL, holds a capped wallet's account row and then its caps row for the rest of
 * the transaction, so deposits into one capped wallet are counted one after the other. That is the order
 * the batched deposit function takes them in (it updates the account, then the deposits trigger of
 * migration 020 locks the caps), so the two paths cannot deadlock; an uncapped wallet takes no lock here.
 */
export async function findWalletCaps(tx: Tx, walletAccountId: string, lock = false): Promise<WalletCaps> {
  const read = async (locking: boolean) =>
    tx.get<CapsRow>(
      `SELECT deposit_max_minor, daily_max_minor FROM wallet_caps WHERE wallet_account_id = ?${locking ? forUpdate(tx.dialect) : ''}`,
      [walletAccountId],
    );
  let row = await read(false);
  if (row !== undefined && lock && tx.dialect === 'postgres') {
    await tx.get(`SELECT id FROM accounts WHERE id = ?${forUpdate(tx.dialect)}`, [walletAccountId]);
    row = await read(true);
  }
  if (row === undefined) return noCaps;
  return {
    depositMaxMinor: row.deposit_max_minor === null ? null : Number(row.deposit_max_minor),
    dailyMaxMinor: row.daily_max_minor === null ? null : Number(row.daily_max_minor),
  };
}

/** What the caps alone still let into the wallet in one deposit now; null when no cap is set. */
export function capRemainingMinor(caps: WalletCaps, usage: WalletUsage): number | null {
  const bounds = [
    caps.depositMaxMinor,
    caps.dailyMaxMinor === null ? null : Math.max(0, caps.dailyMaxMinor - usage.dayMinor),
  ].filter((bound): bound is number => bound !== null);
  return bounds.length === 0 ? null : Math.min(...bounds);
}

/** The network's allowance narrowed by the caps: what a till or kiosk may take now. */
export function cappedAllowance(allowed: Allowance, capRemaining: number | null): Allowance {
  return capRemaining === null
    ? allowed
    : { ...allowed, remainingMinor: Math.min(allowed.remainingMinor, capRemaining) };
}

/**
 * Why an amount may not go in, as the coded error a till shows before it takes the cash, or undefined.
 * The details say how much is still allowed. A parent's cap answers FAMILY_CAP_EXCEEDED, so the clerk
 * and the shopper see it is the family's rule and not the network's.
 */
export function depositRefusal(
  allowed: Allowance,
  capRemaining: number | null,
  amountMinor: number,
): CodedError | undefined {
  const effective = cappedAllowance(allowed, capRemaining);
  if (allows(effective, amountMinor)) return undefined;
  const details = {
    remainingMinor: effective.remainingMinor,
    remainingDeposits: effective.remainingDeposits,
  };
  const byCap = allows(allowed, amountMinor) && capRemaining !== null && amountMinor > capRemaining;
  return new CodedError(byCap ? 'FAMILY_CAP_EXCEEDED' : 'LIMIT_EXCEEDED', details);
}
