/**
 * The kinds of account in DESIGN section 3, and how each keeps its balance.
 *
 * - Wallets are per shopper and currency, credit-normal liabilities that may never go below zero. Each
 *   wallet row is touched only by its own shopper's deposits, so it keeps a running balance and the
 *   non-negative check sits in the locked row.
 * - Every other kind is touched by many transfers at once (one store drawer takes every deposit at that
 *   store). Updating one row per deposit would serialise the store, so these accounts keep no running
 *   balance: their posted totals are the sums of their append-only transfers (indexed).
 */
export const accountKinds = [
  'wallet',
  'storeDrawer',
  'kioskBag',
  'suspense',
  'feeIncome',
  'cashInTransit',
  'bank',
  'overShort',
] as const;

export type AccountKind = (typeof accountKinds)[number];

export interface AccountKindRules {
  readonly keepsRunningBalance: boolean;
  readonly debitsMustNotExceedCredits: boolean;
}

export const accountKindRules: Record<AccountKind, AccountKindRules> = {
  wallet: { keepsRunningBalance: true, debitsMustNotExceedCredits: true },
  storeDrawer: { keepsRunningBalance: false, debitsMustNotExceedCredits: false },
  kioskBag: { keepsRunningBalance: false, debitsMustNotExceedCredits: false },
  suspense: { keepsRunningBalance: false, debitsMustNotExceedCredits: false },
  feeIncome: { keepsRunningBalance: false, debitsMustNotExceedCredits: false },
  cashInTransit: { keepsRunningBalance: false, debitsMustNotExceedCredits: false },
  bank: { keepsRunningBalance: false, debitsMustNotExceedCredits: false },
  overShort: { keepsRunningBalance: false, debitsMustNotExceedCredits: false },
};

/** Accounts of these kinds are system-wide per currency (one suspense per currency); ownerRef is fixed. */
export const systemOwnerRef = 'system';
