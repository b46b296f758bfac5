import { selectIn } from '../storage/bulk-sql.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
import type { Account, AccountRow } from './accounts.js';
import { accountColumns, accountFromRow } from './accounts.js';
import type { StoredTransfer, TransferInput, TransferResult, TransferRow } from './transfer.js';
import { sameFields, transferColumns, transferFromRow } from './transfer.js';

/** The most transfers one call may carry (TigerBeetle's batch bound, scaled to one SQL transaction). */
export const transfersPerCallMax = 1_000;

export async function findTransfer(tx: Tx, id: string): Promise<StoredTransfer | undefined> {
  const row = await tx.get<TransferRow>(`SELECT ${transferColumns} FROM transfers WHERE id = ?`, [id]);
  return row === undefined ? undefined : transferFromRow(row);
}

/** Which of `ids` the ledger already holds as transfers (one query per chunk of ids). */
export async function existingTransferIds(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
  const rows = await selectIn<{ id: string }>(
    tx,
    (inList) => `SELECT id FROM transfers WHERE id IN (${inList})`,
    [...new Set(ids)],
  );
  return new Set(rows.map((row) => row.id));
}

class ChainFailed extends Error {
  constructor(
    readonly index: number,
    readonly result: TransferResult,
  ) {
    super('linked chain failed');
  }
}

/**
 * Creates transfers in order, answering one result per transfer. Runs inside the caller's transaction so
 * the caller's own rows (deposit record, audit entry) commit or vanish with the money. A chain of linked
 * transfers runs in a savepoint and fails as a whole; its other members answer `linkedEventFailed`.
 */
export async function createTransfers(
  tx: Tx,
  transfers: readonly TransferInput[],
  nowMs: number,
): Promise<TransferResult[]> {
  if (transfers.length > transfersPerCallMax) throw new Error('too many transfers in one call');
  const results: TransferResult[] = [];
  let chain: TransferInput[] = [];
  for (const transfer of transfers) {
    chain.push(transfer);
    if (transfer.linked === true) continue;
    results.push(...(await createChain(tx, chain, nowMs)));
    chain = [];
  }
  if (chain.length > 0) for (const _ of chain) results.push('linkedEventChainOpen');
  return results;
}

async function createChain(
  tx: Tx,
  chain: readonly TransferInput[],
  nowMs: number,
): Promise<TransferResult[]> {
  const only = chain[0];
  // A single transfer checks everything before its first write, so it needs no savepoint.
  if (chain.length === 1 && only !== undefined) return [await createOne(tx, only, nowMs)];
  try {
    return await tx.savepoint(async () => {
      const results: TransferResult[] = [];
      for (const [index, transfer] of chain.entries()) {
        const result = await createOne(tx, transfer, nowMs);
        if (result !== 'created' && result !== 'exists') throw new ChainFailed(index, result);
        results.push(result);
      }
      return results;
    });
  } catch (error) {
    if (!(error instanceof ChainFailed)) throw error;
    return chain.map((_, index) => (index === error.index ? error.result : 'linkedEventFailed'));
  }
}

/**
 * One transfer: every check first, then the writes, so a refused transfer has written nothing.
 * Running-balance accounts are locked in id order before the balance check (READ COMMITTED with a fixed
 * lock order: no deadlock, no serialization failures); hot accounts are never locked or updated.
 */
async function createOne(tx: Tx, input: TransferInput, nowMs: number): Promise<TransferResult> {
  const existing = await findTransfer(tx, input.id);
  if (existing !== undefined) return sameFields(input, existing) ? 'exists' : 'existsWithDifferentFields';
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) return 'amountMustBePositive';
  if (input.debitAccountId === input.creditAccountId) return 'accountsMustBeDifferent';

  const accountRows = await tx.all<AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE id IN (?, ?)`, [
    input.debitAccountId,
    input.creditAccountId,
  ]);
  const accounts = accountRows.map(accountFromRow);
  const debit = accounts.find((account) => account.id === input.debitAccountId);
  const credit = accounts.find((account) => account.id === input.creditAccountId);
  if (debit === undefined || credit === undefined) return 'accountNotFound';
  if (debit.currency !== input.currency || credit.currency !== input.currency) return 'currencyMismatch';
  // A deposit credits a wallet. The accounts summed from their transfers (drawers, bags, suspense) find
  // their credits through an index that leaves deposits out (migration 070), so they must never take one.
  if (input.code === 'deposit' && !credit.keepsRunningBalance) return 'depositMustCreditRunningBalance';

  if (input.reversesId !== undefined) {
    const target = await findTransfer(tx, input.reversesId);
    if (target === undefined) return 'reversalTargetNotFound';
    // Money goes back to where it came from, or, when it cannot (kiosk cash stays inside the machine, so
    // crediting the bag would leave its balance below the cash it holds), to suspense, where it waits
    // under a claim for whoever it belongs to.
    const heldInSuspense = credit.kind === 'suspense';
    if (
      (target.debitAccountId !== input.creditAccountId && !heldInSuspense) ||
      target.creditAccountId !== input.debitAccountId ||
      target.amountMinor !== input.amountMinor ||
      target.currency !== input.currency
    ) {
      return 'reversalMustMirrorTarget';
    }
    const reversal = await tx.get('SELECT id FROM transfers WHERE reverses_id = ?', [input.reversesId]);
    if (reversal !== undefined) return 'alreadyReversed';
  }

  if (debit.debitsMustNotExceedCredits) {
    const locked = await lockRunningAccounts(tx, [debit, credit]);
    const debitNow = locked.get(debit.id) ?? debit;
    if (debitNow.creditsPosted - debitNow.debitsPosted < input.amountMinor) return 'exceedsBalance';
  }

  const inserted = await tx.run(
    `INSERT INTO transfers (${transferColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      input.id,
      input.debitAccountId,
      input.creditAccountId,
      input.amountMinor,
      input.currency,
      input.code,
      input.reversesId ?? null,
      input.reason ?? null,
      nowMs,
    ],
  );
  if (inserted === 0) {
    // Another transaction committed the same id (or a reversal of the same target) since we looked.
    const raced = await findTransfer(tx, input.id);
    if (raced === undefined) return 'alreadyReversed';
    return sameFields(input, raced) ? 'exists' : 'existsWithDifferentFields';
  }

  const running = [debit, credit].filter((account) => account.keepsRunningBalance);
  running.sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const account of running) {
    const column = account.id === debit.id ? 'debits_posted' : 'credits_posted';
    const changed = await tx.run(`UPDATE accounts SET ${column} = ${column} + ? WHERE id = ?`, [
      input.amountMinor,
      account.id,
    ]);
    if (changed !== 1) throw new Error(`account ${account.id} vanished inside a transaction`);
  }
  return 'created';
}

/** Locks the running-balance accounts among `accounts` in id order and answers their current rows. */
async function lockRunningAccounts(tx: Tx, accounts: readonly Account[]): Promise<Map<string, Account>> {
  const ids = accounts
    .filter((account) => account.keepsRunningBalance)
    .map((account) => account.id)
    .sort();
  const locked = new Map<string, Account>();
  for (const id of ids) {
    const row = await tx.get<AccountRow>(
      `SELECT ${accountColumns} FROM accounts WHERE id = ?${forUpdate(tx.dialect)}`,
      [id],
    );
    if (row !== undefined) locked.set(id, accountFromRow(row));
  }
  return locked;
}
