import type { Code, CurrencyCode } from '@cashin/shared';
import { CodedError, maskCode } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import { countCodeTry } from '../codes/code-lookup.js';
import type { Deps } from '../deps.js';
import { systemOwnerRef } from '../ledger/account-kinds.js';
import { ensureAccount } from '../ledger/accounts.js';
import { createTransfers } from '../ledger/ledger.js';
import { insertDeposit } from '../deposits/deposit-record.js';
import { allowance, allows, needsCashReport, walletUsage } from '../limits/allowance.js';
import { findShopper } from '../shoppers/shoppers.js';
import { claimCodeHash } from './claim-code.js';

export interface RedeemedClaim {
  readonly claimId: string;
  readonly transferId: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  /** Credited, or credited and held for review when it passes the wallet's limits. */
  readonly status: 'credited' | 'inReview';
}

/**
 * Moves a suspense deposit into the signed-in shopper's wallet, exactly once: the claim row is marked
 * first (a conditional UPDATE that only one transaction can win) and the transfer commits with it.
 * The claim is cash the shopper handed over, so it is recorded as a deposit into the wallet: it counts
 * against the wallet's rolling limits (otherwise suspense would be a way around them) and, the cash being
 * long taken, it is never refused; over the limits it is credited and held for review.
 *
 * A claim code is a bearer instrument, so each try counts against the shopper's code tries
 * (codes/code-lookup.ts), in its own transaction so a wrong code still uses one up.
 */
export async function redeemClaim(deps: Deps, shopperId: string, claimCode: Code): Promise<RedeemedClaim> {
  const allowed = await deps.db.transaction((tx) => countCodeTry(tx, deps, `shopper:${shopperId}`));
  if (!allowed) throw new CodedError('RATE_LIMITED');
  const nowMs = deps.clock.nowMs();
  const transferId = deps.newId();
  return deps.db.transaction(async (tx) => {
    const claim = await tx.get<{
      id: string;
      amount_minor: number;
      currency: CurrencyCode;
      redeemed_transfer_id: string | null;
    }>('SELECT id, amount_minor, currency, redeemed_transfer_id FROM claims WHERE code_hash = ?', [
      claimCodeHash(claimCode),
    ]);
    if (claim === undefined) throw new CodedError('CODE_UNKNOWN');
    if (claim.redeemed_transfer_id !== null) throw new CodedError('CLAIM_ALREADY_REDEEMED');
    const shopper = await findShopper(tx, shopperId);
    if (shopper === undefined) throw new CodedError('UNAUTHENTICATED');
    if (shopper.currency !== claim.currency) throw new CodedError('CURRENCY_MISMATCH');
    const won = await tx.run(
      `UPDATE claims SET redeemed_by_shopper_id = ?, redeemed_transfer_id = ?, redeemed_at_ms = ?
       WHERE id = ? AND redeemed_transfer_id IS NULL`,
      [shopperId, transferId, nowMs, claim.id],
    );
    if (won === 0) throw new CodedError('CLAIM_ALREADY_REDEEMED');
    const suspenseId = await ensureAccount(
      tx,
      { kind: 'suspense', ownerRef: systemOwnerRef, currency: claim.currency },
      deps.newId,
      nowMs,
    );
    const [result] = await createTransfers(
      tx,
      [
        {
          id: transferId,
          debitAccountId: suspenseId,
          creditAccountId: shopper.walletAccountId,
          amountMinor: claim.amount_minor,
          currency: claim.currency,
          code: 'claim',
        },
      ],
      nowMs,
    );
    if (result !== 'created') throw new Error(`a claim transfer failed: ${String(result)}`);
    const usage = await walletUsage(tx, shopper.walletAccountId, nowMs);
    const allowed = allows(
      allowance(deps.limits, claim.currency, shopper.kycTier, usage),
      claim.amount_minor,
    );
    const status = allowed ? 'credited' : 'inReview';
    await insertDeposit(tx, {
      transferId,
      shopperId,
      walletAccountId: shopper.walletAccountId,
      codeHash: claimCodeHash(claimCode),
      codeMasked: maskCode(claimCode),
      amountMinor: claim.amount_minor,
      currency: claim.currency,
      sourceAccountId: suspenseId,
      cashAlreadyTaken: true,
      status,
      reviewReason: allowed ? null : 'limitExceeded',
      cashReportFlag: needsCashReport(deps.limits, claim.currency, usage, claim.amount_minor),
      claimId: claim.id,
      createdAtMs: nowMs,
    });
    await appendAudit(
      tx,
      {
        kind: 'claim.redeemed',
        subject: shopper.walletAccountId,
        data: { claimId: claim.id, transferId, amountMinor: claim.amount_minor, currency: claim.currency },
      },
      nowMs,
    );
    return {
      claimId: claim.id,
      transferId,
      amountMinor: claim.amount_minor,
      currency: claim.currency,
      status,
    };
  });
}
