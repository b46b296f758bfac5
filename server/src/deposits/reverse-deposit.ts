import type { CurrencyCode } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { createTransfers, findTransfer } from '../ledger/ledger.js';
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
}

/**
 * Undoes a wallet deposit with a compensating transfer (wallet -> the drawer or bag it came from) that
 * names the original and a reason. The wallet must still hold the money; a deposit is undone at most once.
 * Suspense deposits are settled through their claim, not reversed here.
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
    const [result] = await createTransfers(
      tx,
      [
        {
          id: input.id,
          debitAccountId: original.creditAccountId,
          creditAccountId: original.debitAccountId,
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
    };
  });
}
