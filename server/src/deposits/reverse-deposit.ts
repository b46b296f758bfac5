import type { CurrencyCode } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import { claimCodeFor, claimCodeHash } from '../claims/claim-code.js';
import type { Deps } from '../deps.js';
import { ensureSystemAccount, findAccount } from '../ledger/accounts.js';
import { createTransfers, findTransfer } from '../ledger/ledger.js';
import type { Tx } from '../storage/db.js';
import { findDeposit } from './deposit-record.js';

export interface ReverseDepositInput {
  /** The id of the compensating transfer, chosen by the caller so a retry is safe. */
  readonly id: string;
  readonly depositId: string;
  readonly reason: string;
  /** Who undid it, for the audit trail: an ops staff id, "ops-token", or the clerk id of a till void. */
  readonly by: string;
}

export interface Reversal {
  readonly result: 'created' | 'exists';
  readonly reversalId: string;
  readonly depositId: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  /**
   * Where the money went: `source`, back to the store drawer it came from (the clerk hands the cash back);
   * `suspense`, for a kiosk deposit, whose cash cannot come back out of the machine.
   */
  readonly heldIn: 'source' | 'suspense';
  /** The claim the money waits under in suspense, for ops to assign to whoever it belongs to; else null. */
  readonly claimId: string | null;
}

/**
 * Undoes a wallet deposit with one compensating transfer that names the original and a reason. The wallet
 * must still hold the money; a deposit is undone at most once. A store drawer's deposit goes back to the
 * drawer (a till void: the clerk hands the cash back). A kiosk's cash stays in its bag, so crediting the
 * bag would leave its ledger balance below the cash inside and the next collection would book a false
 * over: its money goes wallet -> suspense instead, under a claim (like cash for an unknown code), which
 * ops assign to the shopper it belongs to (assignClaim). Suspense deposits are settled through their
 * claim, not reversed here.
 */
export async function reverseDeposit(deps: Deps, input: ReverseDepositInput): Promise<Reversal> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const deposit = await findDeposit(tx, input.depositId);
    const original = await findTransfer(tx, input.depositId);
    if (deposit === undefined || original === undefined) throw new CodedError('NOT_FOUND');
    // Suspense deposits are settled through their claim; a redeemed claim is not undone by moving the money
    // back to suspense, where the spent claim code could no longer reach it.
    if (deposit.status === 'suspense') throw new CodedError('CONFLICT', { reason: 'suspenseDeposit' });
    if (original.code === 'claim') throw new CodedError('CONFLICT', { reason: 'redeemedClaim' });
    const source = await findAccount(tx, original.debitAccountId);
    if (source === undefined) throw new Error('a deposit transfer names an account that does not exist');
    const heldIn = source.kind === 'kioskBag' ? 'suspense' : 'source';
    const creditAccountId =
      heldIn === 'suspense'
        ? await ensureSystemAccount(tx, 'suspense', original.currency, deps.newId, nowMs)
        : original.debitAccountId;
    const [result] = await createTransfers(
      tx,
      [
        {
          id: input.id,
          debitAccountId: original.creditAccountId,
          creditAccountId,
          amountMinor: original.amountMinor,
          currency: original.currency,
          code: 'reversal',
          reversesId: original.id,
          reason: input.reason,
        },
      ],
      nowMs,
    );
    switch (result) {
      case 'created':
        break;
      case 'exists':
        return {
          result: 'exists',
          reversalId: input.id,
          depositId: original.id,
          amountMinor: original.amountMinor,
          currency: original.currency,
          heldIn,
          claimId: heldIn === 'suspense' ? await claimOfReversal(tx, input.id) : null,
        };
      case 'existsWithDifferentFields':
        throw new CodedError('IDEMPOTENCY_CONFLICT');
      case 'alreadyReversed':
        throw new CodedError('ALREADY_VOIDED');
      case 'exceedsBalance':
        throw new CodedError('INSUFFICIENT_FUNDS');
      default:
        throw new Error(`a checked reversal failed: ${String(result)}`);
    }
    await tx.run("UPDATE deposits SET status = 'reversed' WHERE transfer_id = ?", [original.id]);
    const claimId = heldIn === 'suspense' ? deps.newId() : null;
    if (claimId !== null) {
      // The claim names the reversal, the transfer that put the money in suspense, not the deposit: the
      // kiosk's receipt of the deposit redeems the deposit's own claim (redeemDepositClaim), and the money
      // of a reversed deposit is for ops to assign, not for whoever holds that receipt. Its code is derived
      // from the reversal id and never shown, so only an assignment by ops moves it.
      const opened = await tx.run(
        `INSERT INTO claims (id, code_hash, amount_minor, currency, deposit_transfer_id, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          claimId,
          claimCodeHash(deps.claimCodeSecret, claimCodeFor(deps.claimCodeSecret, input.id)),
          original.amountMinor,
          original.currency,
          input.id,
          nowMs,
        ],
      );
      if (opened !== 1) throw new Error('the claim code of a reversal collided');
    }
    await appendAudit(
      tx,
      {
        kind: 'transfer.reversed',
        subject: original.creditAccountId,
        data: {
          reversalId: input.id,
          depositId: original.id,
          amountMinor: original.amountMinor,
          currency: original.currency,
          reason: input.reason,
          by: input.by,
          heldIn,
          claimId,
        },
      },
      nowMs,
    );
    return {
      result: 'created',
      reversalId: input.id,
      depositId: original.id,
      amountMinor: original.amountMinor,
      currency: original.currency,
      heldIn,
      claimId,
    };
  });
}

/** The claim a kiosk deposit's reversal opened in suspense (a retry of the reversal answers it again). */
async function claimOfReversal(tx: Tx, reversalId: string): Promise<string> {
  const claim = await tx.get<{ id: string }>('SELECT id FROM claims WHERE deposit_transfer_id = ?', [
    reversalId,
  ]);
  if (claim === undefined) throw new Error('a kiosk deposit reversal without its claim');
  return claim.id;
}
