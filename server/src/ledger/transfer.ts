import type { CurrencyCode } from '@cashin/shared';

/** Why money moved; stored on the transfer and shown in history. */
export const transferCodes = ['deposit', 'depositToSuspense', 'claim', 'reversal', 'adjustment'] as const;
export type TransferCode = (typeof transferCodes)[number];

export interface TransferInput {
  /** Chosen by whoever first recorded the money; unique forever. */
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly code: TransferCode;
  /** Set on a compensating transfer: the transfer it undoes (each transfer can be undone once). */
  readonly reversesId?: string;
  /** Why a compensating transfer was made, in words. */
  readonly reason?: string;
  /** Links this transfer to the next: the chain commits or fails as one (TigerBeetle's flags.linked). */
  readonly linked?: boolean;
}

/** Result codes, as values: expected failures are not exceptions. */
export type TransferResult =
  | 'created'
  | 'exists'
  | 'existsWithDifferentFields'
  | 'exceedsBalance'
  | 'accountNotFound'
  | 'accountsMustBeDifferent'
  | 'currencyMismatch'
  | 'depositMustCreditRunningBalance'
  | 'amountMustBePositive'
  | 'reversalTargetNotFound'
  | 'reversalMustMirrorTarget'
  | 'alreadyReversed'
  | 'linkedEventFailed'
  | 'linkedEventChainOpen';

export interface StoredTransfer {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly code: TransferCode;
  readonly reversesId: string | null;
  readonly reason: string | null;
  readonly createdAtMs: number;
}

export interface TransferRow extends Record<string, unknown> {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount_minor: number;
  currency: CurrencyCode;
  code: TransferCode;
  reverses_id: string | null;
  reason: string | null;
  created_at_ms: number;
}

export const transferColumns =
  'id, debit_account_id, credit_account_id, amount_minor, currency, code, reverses_id, reason, created_at_ms';

export function transferFromRow(row: TransferRow): StoredTransfer {
  return {
    id: row.id,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amountMinor: row.amount_minor,
    currency: row.currency,
    code: row.code,
    reversesId: row.reverses_id,
    reason: row.reason,
    createdAtMs: row.created_at_ms,
  };
}

/** A replay is `exists` only when every field the client chose is the same as the first time. */
export function sameFields(input: TransferInput, stored: StoredTransfer): boolean {
  return (
    input.debitAccountId === stored.debitAccountId &&
    input.creditAccountId === stored.creditAccountId &&
    input.amountMinor === stored.amountMinor &&
    input.currency === stored.currency &&
    input.code === stored.code &&
    (input.reversesId ?? null) === stored.reversesId &&
    (input.reason ?? null) === stored.reason
  );
}
