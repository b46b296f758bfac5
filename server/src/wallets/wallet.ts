import type { CurrencyCode } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import type { Deps } from '../deps.js';
import type { TransferCode } from '../ledger/transfer.js';
import { capRemainingMinor, cappedAllowance, findWalletCaps } from '../family/wallet-caps.js';
import type { Allowance } from '../limits/allowance.js';
import { allowance, walletUsage } from '../limits/allowance.js';
import type { Shopper } from '../shoppers/shoppers.js';
import { findShopper } from '../shoppers/shoppers.js';

export const historyStatuses = ['pending', 'credited', 'reversed', 'inReview'] as const;
export type HistoryStatus = (typeof historyStatuses)[number];

export interface WalletEntry {
  readonly transferId: string;
  readonly kind: TransferCode;
  /** Positive when money came in, negative when it went out (a reversal). */
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly status: HistoryStatus;
  readonly codeMasked: string | null;
  readonly createdAtMs: number;
}

export interface WalletView {
  readonly shopper: Shopper;
  readonly balanceMinor: number;
  readonly allowance: Allowance;
  readonly history: WalletEntry[];
}

interface EntryRow extends Record<string, unknown> {
  id: string;
  code: TransferCode;
  amount_minor: number;
  currency: CurrencyCode;
  debit_account_id: string;
  created_at_ms: number;
  status: string | null;
  code_masked: string | null;
}

interface PendingRow extends Record<string, unknown> {
  id: string;
  amount_minor: number;
  currency: CurrencyCode;
  code_masked: string;
  created_at_ms: number;
}

/**
 * The wallet's balance, what it may still take today (under any caps a parent set), and its newest
 * entries with their statuses: pending (a till authorized it and the clerk is taking the cash; the
 * authorization id becomes the transfer id at commit), credited, in review, reversed.
 */
export async function walletView(deps: Deps, shopperId: string): Promise<WalletView> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const shopper = await findShopper(tx, shopperId);
    if (shopper === undefined) throw new CodedError('UNAUTHENTICATED');
    const account = await tx.get<{ debits_posted: number; credits_posted: number }>(
      'SELECT debits_posted, credits_posted FROM accounts WHERE id = ?',
      [shopper.walletAccountId],
    );
    if (account === undefined) throw new Error('a shopper without a wallet account');
    const usage = await walletUsage(tx, shopper.walletAccountId, nowMs);
    const caps = await findWalletCaps(tx, shopper.walletAccountId);
    const wallet = shopper.walletAccountId;
    const page = deps.limits.system.walletHistoryPageEntriesMax;
    const pending = await tx.all<PendingRow>(
      `SELECT a.id, a.amount_minor, a.currency, a.code_masked, a.created_at_ms FROM till_authorizations a
       WHERE a.status = 'authorized' AND a.expires_at_ms > ?
         AND a.code IN (SELECT code FROM deposit_codes WHERE shopper_id = ? UNION ALL SELECT code FROM slips WHERE shopper_id = ?)
       ORDER BY a.created_at_ms DESC, a.id DESC LIMIT ?`,
      [nowMs, shopperId, shopperId, page],
    );
    // The newest page of each kind of entry, merged: deposits in (found by the wallet's deposit records, as
    // the credit side's transfer index leaves deposits out), other credits (claims, adjustments), and debits.
    const rows = await tx.all<EntryRow>(
      `SELECT t.id, t.code, t.amount_minor, t.currency, t.debit_account_id, t.created_at_ms, d.status, d.code_masked
       FROM (
         SELECT * FROM (SELECT dt.* FROM deposits dd JOIN transfers dt ON dt.id = dd.transfer_id
                          WHERE dd.wallet_account_id = ? AND dt.credit_account_id = dd.wallet_account_id AND dt.code = 'deposit'
                          ORDER BY dd.created_at_ms DESC, dd.transfer_id DESC LIMIT ?) AS d
         UNION ALL
         SELECT * FROM (SELECT * FROM transfers WHERE credit_account_id = ? AND code <> 'deposit' ORDER BY created_at_ms DESC, id DESC LIMIT ?) AS c
         UNION ALL
         SELECT * FROM (SELECT * FROM transfers WHERE debit_account_id = ? ORDER BY created_at_ms DESC, id DESC LIMIT ?) AS b
       ) AS t
       LEFT JOIN deposits d ON d.transfer_id = t.id
       ORDER BY t.created_at_ms DESC, t.id DESC LIMIT ?`,
      [wallet, page, wallet, page, wallet, page, page],
    );
    const history = rows.map((row): WalletEntry => {
      const outgoing = row.debit_account_id === wallet;
      const status: HistoryStatus = outgoing
        ? 'reversed'
        : row.status === 'reversed' || row.status === 'inReview'
          ? row.status
          : 'credited';
      return {
        transferId: row.id,
        kind: row.code,
        amountMinor: outgoing ? -row.amount_minor : row.amount_minor,
        currency: row.currency,
        status,
        codeMasked: row.code_masked,
        createdAtMs: row.created_at_ms,
      };
    });
    const pendingEntries = pending.map((row): WalletEntry => ({
      transferId: row.id,
      kind: 'deposit',
      amountMinor: row.amount_minor,
      currency: row.currency,
      status: 'pending',
      codeMasked: row.code_masked,
      createdAtMs: row.created_at_ms,
    }));
    return {
      shopper,
      balanceMinor: account.credits_posted - account.debits_posted,
      allowance: cappedAllowance(
        allowance(deps.limits, shopper.currency, shopper.kycTier, usage),
        capRemainingMinor(caps, usage),
      ),
      history: [...pendingEntries, ...history].slice(0, page),
    };
  });
}
