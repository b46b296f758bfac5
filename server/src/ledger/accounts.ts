import type { CurrencyCode, UuidV7Generator } from '@cashin/shared';
import type { Tx } from '../storage/db.js';
import type { AccountKind } from './account-kinds.js';
import { accountKindRules, systemOwnerRef } from './account-kinds.js';

export interface Account {
  readonly id: string;
  readonly kind: AccountKind;
  readonly currency: CurrencyCode;
  readonly ownerRef: string;
  readonly keepsRunningBalance: boolean;
  readonly debitsMustNotExceedCredits: boolean;
  readonly debitsPosted: number;
  readonly creditsPosted: number;
}

export interface AccountRow extends Record<string, unknown> {
  id: string;
  kind: AccountKind;
  currency: CurrencyCode;
  owner_ref: string;
  keeps_running_balance: number;
  debits_must_not_exceed_credits: number;
  debits_posted: number;
  credits_posted: number;
}

export const accountColumns =
  'id, kind, currency, owner_ref, keeps_running_balance, debits_must_not_exceed_credits, debits_posted, credits_posted';

export function accountFromRow(row: AccountRow): Account {
  return {
    id: row.id,
    kind: row.kind,
    currency: row.currency,
    ownerRef: row.owner_ref,
    keepsRunningBalance: row.keeps_running_balance === 1,
    debitsMustNotExceedCredits: row.debits_must_not_exceed_credits === 1,
    debitsPosted: row.debits_posted,
    creditsPosted: row.credits_posted,
  };
}

export interface AccountSpec {
  readonly kind: AccountKind;
  readonly ownerRef: string;
  readonly currency: CurrencyCode;
}

/** The account for (kind, owner, currency), created on first use. Idempotent under concurrency. */
export async function ensureAccount(
  tx: Tx,
  spec: AccountSpec,
  newId: UuidV7Generator,
  nowMs: number,
): Promise<string> {
  const rules = accountKindRules[spec.kind];
  await tx.run(
    `INSERT INTO accounts (id, kind, currency, owner_ref, keeps_running_balance, debits_must_not_exceed_credits, created_at_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      newId(),
      spec.kind,
      spec.currency,
      spec.ownerRef,
      rules.keepsRunningBalance ? 1 : 0,
      rules.debitsMustNotExceedCredits ? 1 : 0,
      nowMs,
    ],
  );
  const row = await tx.get<{ id: string }>(
    'SELECT id FROM accounts WHERE kind = ? AND owner_ref = ? AND currency = ?',
    [spec.kind, spec.ownerRef, spec.currency],
  );
  if (row === undefined) throw new Error('an account just ensured must exist');
  return row.id;
}

/** The network's own account of a kind in a currency (suspense, cash in transit, over/short). */
export function ensureSystemAccount(
  tx: Tx,
  kind: AccountKind,
  currency: CurrencyCode,
  newId: UuidV7Generator,
  nowMs: number,
): Promise<string> {
  return ensureAccount(tx, { kind, ownerRef: systemOwnerRef, currency }, newId, nowMs);
}

export async function findAccount(tx: Tx, id: string): Promise<Account | undefined> {
  const row = await tx.get<AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE id = ?`, [id]);
  return row === undefined ? undefined : accountFromRow(row);
}

/**
 * Posted totals of one account. Running-balance accounts answer from their row; the others sum their
 * append-only transfers (an indexed range per side). Such an account is never credited by a deposit (the
 * ledger refuses it), and the credit side's index leaves deposits out, so the query says so to use it.
 */
export async function postedTotals(
  tx: Tx,
  account: Account,
): Promise<{ debitsPosted: number; creditsPosted: number }> {
  if (account.keepsRunningBalance) {
    return { debitsPosted: account.debitsPosted, creditsPosted: account.creditsPosted };
  }
  const debits = await tx.get<{ total: number | null }>(
    'SELECT SUM(amount_minor) AS total FROM transfers WHERE debit_account_id = ?',
    [account.id],
  );
  const credits = await tx.get<{ total: number | null }>(
    "SELECT SUM(amount_minor) AS total FROM transfers WHERE credit_account_id = ? AND code <> 'deposit'",
    [account.id],
  );
  return { debitsPosted: Number(debits?.total ?? 0), creditsPosted: Number(credits?.total ?? 0) };
}
