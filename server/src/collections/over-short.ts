import type { CurrencyCode } from '@cashin/shared';
import type { TransferInput } from '../ledger/transfer.js';

/**
 * The transfer that books a difference between what the ledger expected an asset account to receive and
 * what it did (a bag counted, a bank's credit) against over/short: over (positive) debits the asset and
 * credits over/short, short (negative) the other way round. `differenceMinor` must not be zero.
 */
export function overShortTransfer(input: {
  readonly id: string;
  readonly assetAccountId: string;
  readonly overShortAccountId: string;
  readonly differenceMinor: number;
  readonly currency: CurrencyCode;
  readonly reason: string;
}): TransferInput {
  const over = input.differenceMinor > 0;
  return {
    id: input.id,
    debitAccountId: over ? input.assetAccountId : input.overShortAccountId,
    creditAccountId: over ? input.overShortAccountId : input.assetAccountId,
    amountMinor: Math.abs(input.differenceMinor),
    currency: input.currency,
    code: 'adjustment',
    reason: input.reason,
  };
}
