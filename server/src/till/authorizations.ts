import type { Authorization, Code, CurrencyCode } from '@cashin/shared';
import { CodedError, codeTypeOf, maskCode, moneyLimitsFor } from '@cashin/shared';
import { claimCodeFor } from '../claims/claim-code.js';
import type { CodeLookup } from '../codes/code-lookup.js';
import { lookupCode } from '../codes/code-lookup.js';
import { lockOpenSlip } from '../codes/slips.js';
import type { Deps } from '../deps.js';
import { codeHash, creditDeposit } from '../deposits/credit-deposit.js';
import type { DepositRecord } from '../deposits/deposit-record.js';
import { findDeposit } from '../deposits/deposit-record.js';
import { reverseDeposit } from '../deposits/reverse-deposit.js';
import { depositRefusal } from '../family/wallet-caps.js';
import { existingTransferIds } from '../ledger/ledger.js';
import { secretsEqual } from '../secrets/hash.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
import { txView } from '../storage/tx-view.js';
import { requireStore } from '../stores/stores.js';

/** The clerk acting: from their session, never from the request body. */
export interface TillClerk {
  readonly clerkId: string;
  readonly storeId: string;
}

interface AuthorizationRow extends Record<string, unknown> {
  id: string;
  store_id: string;
  clerk_id: string;
  code: string;
  code_masked: string;
  code_type: 'deposit' | 'slip';
  amount_minor: number;
  currency: CurrencyCode;
  masked_name: string;
  remaining_after_minor: number;
  status: 'authorized' | 'committed' | 'voided';
  expires_at_ms: number;
  committed_at_ms: number | null;
  voided_at_ms: number | null;
  created_at_ms: number;
  store_name: string;
  clerk_name: string;
  /** The deposit under this authorization's id (null until one exists) and its claim, if in suspense. */
  deposit_id: string | null;
  deposit_claim_id: string | null;
}

const selectAuthorization = `SELECT a.id, a.store_id, a.clerk_id, a.code, a.code_masked, a.code_type, a.amount_minor,
  a.currency, a.masked_name, a.remaining_after_minor, a.status, a.expires_at_ms, a.committed_at_ms,
  a.voided_at_ms, a.created_at_ms, s.name AS store_name, c.name AS clerk_name,
  d.transfer_id AS deposit_id, d.claim_id AS deposit_claim_id
  FROM till_authorizations a JOIN stores s ON s.id = a.store_id JOIN clerks c ON c.id = a.clerk_id
  LEFT JOIN deposits d ON d.transfer_id = a.id`;

async function findAuthorization(tx: Tx, id: string, lock: boolean): Promise<AuthorizationRow | undefined> {
  // FOR UPDATE names the table it locks: joined rows (store, clerk) are never written here.
  const locking = lock && tx.dialect === 'postgres' ? `${forUpdate(tx.dialect)} OF a` : '';
  return tx.get<AuthorizationRow>(`${selectAuthorization} WHERE a.id = ?${locking}`, [id]);
}

/**
 * The authorization as the till sees it. `withClaimCode` is for a commit's own answer: a claim code is a
 * bearer secret for the money in suspense, printed once for the shopper, not repeated in lists.
 */
function toAuthorization(
  row: AuthorizationRow,
  deps: Deps,
  nowMs: number,
  withClaimCode = false,
): Authorization {
  const expired = row.status === 'authorized' && row.expires_at_ms <= nowMs;
  const committed = row.status === 'committed' && row.deposit_id !== null;
  const inSuspense = committed && row.deposit_claim_id !== null;
  return {
    authorizationId: row.id as Authorization['authorizationId'],
    status: expired ? 'expired' : row.status,
    maskedName: row.masked_name,
    codeMasked: row.code_masked,
    codeType: row.code_type,
    amountMinor: row.amount_minor,
    currency: row.currency,
    remainingAfterMinor: row.remaining_after_minor,
    expiresAtMs: row.expires_at_ms,
    storeName: row.store_name,
    clerkName: row.clerk_name,
    createdAtMs: row.created_at_ms,
    committedAtMs: row.committed_at_ms,
    voidedAtMs: row.voided_at_ms,
    // Money in suspense is not the wallet's to take back: a void would be refused (reverse-deposit.ts).
    voidableUntilMs:
      row.status === 'committed' && row.committed_at_ms !== null && !inSuspense
        ? row.committed_at_ms + deps.limits.system.tillVoidWindowMs
        : null,
    creditedTo: committed ? (inSuspense ? 'suspense' : 'wallet') : null,
    claimCode: inSuspense && withClaimCode ? claimCodeFor(deps.claimCodeSecret, row.id) : null,
  };
}

/** An authorization of another store is not this clerk's to see or touch. */
function ownedBy(row: AuthorizationRow | undefined, clerk: TillClerk): AuthorizationRow {
  if (row === undefined) throw new CodedError('AUTHORIZATION_UNKNOWN');
  if (row.store_id !== clerk.storeId) throw new CodedError('FORBIDDEN', { reason: 'otherStore' });
  return row;
}

/**
 * What the till shows once a code is scanned, before the clerk counts the cash: the masked name to ask
 * the customer about, what the wallet may still take, and a payment slip's amount, which the till fills
 * in. The same checks as authorizing (a live code or open slip in the store's currency) and the same
 * enumeration count; authorizing checks everything again, since the answer may be minutes old by then.
 */
export async function lookUpForTill(deps: Deps, clerk: TillClerk, code: Code): Promise<CodeLookup> {
  const store = await deps.db.transaction((tx) => requireStore(tx, clerk.storeId));
  const found = await lookupCode(deps, `clerk:${clerk.clerkId}`, code);
  if (found.currency !== store.currency) throw new CodedError('CURRENCY_MISMATCH', { field: 'code' });
  return found;
}

/**
 * Step one, before the clerk takes the cash: the amount is within the till's minimum and maximum, the
 * code is a live deposit code or an open slip (a slip's exact amount), and the wallet's every limit (and
 * any cap a parent set on it) lets this amount in. Moves no money. The lookup counts against the clerk's enumeration limit. Retried with
 * the same id and fields it answers the same authorization; with other fields, IDEMPOTENCY_CONFLICT.
 */
export async function authorizeDeposit(
  deps: Deps,
  clerk: TillClerk,
  input: { authorizationId: string; code: Code; amountMinor: number; currency: CurrencyCode },
): Promise<Authorization> {
  const nowMs = deps.clock.nowMs();
  const prior = await deps.db.transaction((tx) => findAuthorization(tx, input.authorizationId, false));
  if (prior !== undefined) {
    const row = ownedBy(prior, clerk);
    const same =
      row.code === input.code && row.amount_minor === input.amountMinor && row.currency === input.currency;
    if (!same) throw new CodedError('IDEMPOTENCY_CONFLICT', { authorizationId: input.authorizationId });
    return toAuthorization(row, deps, nowMs);
  }
  // The id becomes the deposit's transfer id at commit: one that already names money (a kiosk's deposit,
  // an ops correction) would make the commit find that money instead of crediting the customer's.
  const taken = await deps.db.transaction((tx) => existingTransferIds(tx, [input.authorizationId]));
  if (taken.size > 0)
    throw new CodedError('IDEMPOTENCY_CONFLICT', { authorizationId: input.authorizationId });
  const store = await deps.db.transaction((tx) => requireStore(tx, clerk.storeId));
  if (input.currency !== store.currency) throw new CodedError('CURRENCY_MISMATCH', { field: 'currency' });
  const money = moneyLimitsFor(deps.limits, input.currency);
  if (input.amountMinor < money.tillDepositMinMinor)
    throw new CodedError('AMOUNT_BELOW_MINIMUM', { minimumMinor: money.tillDepositMinMinor });
  if (input.amountMinor > money.tillDepositMaxMinor)
    throw new CodedError('AMOUNT_ABOVE_MAXIMUM', { maximumMinor: money.tillDepositMaxMinor });
  const found = await lookUpForTill(deps, clerk, input.code);
  if (found.slipAmountMinor !== null && found.slipAmountMinor !== input.amountMinor)
    throw new CodedError('AMOUNT_MISMATCH', { slipAmountMinor: found.slipAmountMinor });
  const refusal = depositRefusal(found.networkAllowance, found.capRemainingMinor, input.amountMinor);
  if (refusal !== undefined) throw refusal;
  const expiresAtMs = nowMs + deps.limits.system.tillAuthorizationTtlMs;
  const row = await deps.db.transaction(async (tx) => {
    // The lookup read a slip without a lock: the shopper may have cancelled it (or a deposit used it)
    // since. Checked again under its lock, so a cancel either sees this authorization and is refused, or
    // is seen here.
    if (codeTypeOf(input.code) === 'slip') await lockOpenSlip(tx, input.code, nowMs);
    await tx.run(
      `INSERT INTO till_authorizations (id, store_id, clerk_id, code, code_masked, code_type, amount_minor, currency,
         masked_name, remaining_after_minor, status, expires_at_ms, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'authorized', ?, ?) ON CONFLICT DO NOTHING`,
      [
        input.authorizationId,
        clerk.storeId,
        clerk.clerkId,
        input.code,
        maskCode(input.code),
        codeTypeOf(input.code) === 'slip' ? 'slip' : 'deposit',
        input.amountMinor,
        input.currency,
        found.maskedName,
        found.allowance.remainingMinor - input.amountMinor,
        expiresAtMs,
        nowMs,
      ],
    );
    return findAuthorization(tx, input.authorizationId, false);
  });
  const stored = ownedBy(row, clerk);
  if (stored.code !== input.code || stored.amount_minor !== input.amountMinor)
    throw new CodedError('IDEMPOTENCY_CONFLICT', { authorizationId: input.authorizationId });
  return toAuthorization(stored, deps, nowMs);
}

/**
 * Step two, the cash is in the drawer: store drawer -> wallet through creditDeposit with the
 * authorization id as the transfer id, and the authorization marked committed, in one transaction. Any
 * number of retries credit once (the deposit exists; the answer is the same). The cash is already taken,
 * so a limit another deposit used up since the authorization credits and holds for review rather than
 * refusing money the clerk holds. After expiry an uncommitted authorization is AUTHORIZATION_EXPIRED.
 */
export async function commitDeposit(
  deps: Deps,
  clerk: TillClerk,
  authorizationId: string,
): Promise<Authorization> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const row = ownedBy(await findAuthorization(tx, authorizationId, true), clerk);
    if (row.status === 'voided') throw new CodedError('ALREADY_VOIDED');
    if (row.status === 'committed') return toAuthorization(row, deps, nowMs, true);
    const prior = await findDeposit(tx, authorizationId);
    const store = await requireStore(tx, clerk.storeId);
    if (prior !== undefined && !isThisAuthorizationsDeposit(prior, row, store.drawerAccountId))
      throw new CodedError('IDEMPOTENCY_CONFLICT', { authorizationId });
    let credited = prior;
    if (prior === undefined) {
      if (row.expires_at_ms <= nowMs) throw new CodedError('AUTHORIZATION_EXPIRED');
      await creditDeposit(
        { ...deps, db: txView(tx) },
        {
          id: authorizationId,
          code: row.code as Code,
          amountMinor: row.amount_minor,
          currency: row.currency,
          sourceAccountId: store.drawerAccountId,
          cashAlreadyTaken: true,
          // The clerk took the cash on the strength of the authorization, which named the shopper: a
          // code valid then (in its rotation grace, say, which has ended since) still credits that
          // shopper's wallet, as a kiosk deposit synced late does. Limits are weighed as of now.
          codeTakenAtMs: row.created_at_ms,
        },
      );
      credited = await findDeposit(tx, authorizationId);
      if (credited === undefined) throw new Error('a credited till deposit has no deposit record');
    }
    const committedAtMs = prior?.createdAtMs ?? nowMs;
    // Who committed is who took the cash: the authorizing clerk's shift may have ended since.
    await tx.run(
      "UPDATE till_authorizations SET status = 'committed', committed_at_ms = ?, committed_by = ? WHERE id = ?",
      [committedAtMs, clerk.clerkId, authorizationId],
    );
    // The answer says where the money went: suspense, with its claim code, is never "in the wallet".
    return toAuthorization(
      {
        ...row,
        status: 'committed',
        committed_at_ms: committedAtMs,
        deposit_id: authorizationId,
        deposit_claim_id: credited?.claimId ?? null,
      },
      deps,
      nowMs,
      true,
    );
  });
}

/**
 * Whether `deposit` is the money this authorization moves: out of its store's drawer, for its code, amount
 * and currency. The commit writes the deposit and marks the authorization in one transaction, so an
 * authorization still open whose id already names a deposit met someone else's money under the same id;
 * it must neither count that money as the customer's nor, by a void, undo it.
 */
function isThisAuthorizationsDeposit(
  deposit: DepositRecord,
  row: AuthorizationRow,
  drawerAccountId: string,
): boolean {
  return (
    deposit.sourceAccountId === drawerAccountId &&
    secretsEqual(deposit.codeHash, codeHash(row.code as Code)) &&
    deposit.amountMinor === row.amount_minor &&
    deposit.currency === row.currency
  );
}

/**
 * Step three, if need be: within tillVoidWindowMs of the commit, by a clerk of the same store, with a
 * reason, a compensating transfer (wallet -> drawer) undoes the deposit. An authorization never committed
 * is simply cancelled (no money moved). Retried, it answers the voided authorization again.
 */
export async function voidDeposit(
  deps: Deps,
  clerk: TillClerk,
  authorizationId: string,
  reason: string,
): Promise<Authorization> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const row = ownedBy(await findAuthorization(tx, authorizationId, true), clerk);
    if (row.status === 'voided') return toAuthorization(row, deps, nowMs);
    let reversalId: string | null = null;
    if (row.status === 'committed') {
      if (row.committed_at_ms === null || nowMs > row.committed_at_ms + deps.limits.system.tillVoidWindowMs)
        throw new CodedError('VOID_WINDOW_CLOSED');
      // Only this authorization's own money is undone (an authorization committed before commits
      // checked the deposit under its id could name another's).
      const deposit = await findDeposit(tx, authorizationId);
      const store = await requireStore(tx, clerk.storeId);
      if (deposit === undefined || !isThisAuthorizationsDeposit(deposit, row, store.drawerAccountId))
        throw new CodedError('IDEMPOTENCY_CONFLICT', { authorizationId });
      reversalId = deps.newId();
      await reverseDeposit(
        { ...deps, db: txView(tx) },
        { id: reversalId, depositId: authorizationId, reason, by: clerk.clerkId },
      );
    }
    await tx.run(
      "UPDATE till_authorizations SET status = 'voided', voided_at_ms = ?, void_reason = ?, reversal_id = ?, voided_by = ? WHERE id = ?",
      [nowMs, reason, reversalId, clerk.clerkId, authorizationId],
    );
    return toAuthorization({ ...row, status: 'voided', voided_at_ms: nowMs }, deps, nowMs);
  });
}

/** The most authorizations a shift summary lists (AuthorizationSchema's bound in ShiftSummarySchema). */
export const shiftRecentMax = 50;

/** A count and a sum of till deposits, as the shift summary reports them. */
export interface TillTotal {
  readonly count: number;
  readonly totalMinor: number;
}

/**
 * What the clerk's shift (since shiftStartedAtMs; see signInClerk) took and gave back, by who committed
 * and who voided, not who authorized. `voids` are this shift's own deposits voided in it, so the cash to
 * hand over, deposits less voids, can never go below zero. Cash this clerk paid back for a deposit taken
 * before the shift or by another clerk is `otherVoids`: it left a drawer another hand-over already
 * counted, for the store's reconciliation to settle, and is listed rather than subtracted.
 */
export async function shiftSummary(
  deps: Deps,
  clerk: TillClerk & { shiftStartedAtMs: number },
): Promise<{
  sinceMs: number;
  deposits: TillTotal;
  voids: TillTotal;
  otherVoids: TillTotal;
  cashToHandOverMinor: number;
  recent: Authorization[];
  clerkName: string;
}> {
  const nowMs = deps.clock.nowMs();
  const sinceMs = clerk.shiftStartedAtMs;
  return deps.db.transaction(async (tx) => {
    const ownDeposit = 'committed_by = ? AND committed_at_ms >= ?';
    const totals = await tx.get<{
      d_count: number;
      d_total: number | null;
      v_count: number;
      v_total: number | null;
      o_count: number;
      o_total: number | null;
    }>(
      `SELECT
         COUNT(CASE WHEN ${ownDeposit} THEN 1 END) AS d_count,
         SUM(CASE WHEN ${ownDeposit} THEN amount_minor ELSE 0 END) AS d_total,
         COUNT(CASE WHEN own_void = 1 AND ${ownDeposit} THEN 1 END) AS v_count,
         SUM(CASE WHEN own_void = 1 AND ${ownDeposit} THEN amount_minor ELSE 0 END) AS v_total,
         COUNT(CASE WHEN own_void = 1 AND NOT (${ownDeposit}) THEN 1 END) AS o_count,
         SUM(CASE WHEN own_void = 1 AND NOT (${ownDeposit}) THEN amount_minor ELSE 0 END) AS o_total
       FROM (SELECT amount_minor, committed_by, committed_at_ms,
               CASE WHEN voided_by = ? AND voided_at_ms >= ? AND reversal_id IS NOT NULL THEN 1 ELSE 0 END AS own_void
             FROM till_authorizations
             WHERE (committed_by = ? AND committed_at_ms >= ?) OR (voided_by = ? AND voided_at_ms >= ?)) shift`,
      // Every placeholder above is a (clerk, since) pair: six in the select list, three in the subquery.
      Array.from({ length: 9 }, () => [clerk.clerkId, sinceMs]).flat(),
    );
    const rows = await tx.all<AuthorizationRow>(
      `${selectAuthorization} WHERE a.clerk_id = ? AND a.created_at_ms >= ? ORDER BY a.created_at_ms DESC LIMIT ${shiftRecentMax}`,
      [clerk.clerkId, sinceMs],
    );
    const name = await tx.get<{ name: string }>('SELECT name FROM clerks WHERE id = ?', [clerk.clerkId]);
    const total = (count: number | undefined, sum: number | null | undefined): TillTotal => ({
      count: Number(count ?? 0),
      totalMinor: Number(sum ?? 0),
    });
    const deposits = total(totals?.d_count, totals?.d_total);
    const voids = total(totals?.v_count, totals?.v_total);
    const cashToHandOverMinor = deposits.totalMinor - voids.totalMinor;
    // Voids counted are a subset of the deposits counted, each voided once: below zero is a bug.
    if (cashToHandOverMinor < 0) throw new Error('a shift handed over less than nothing');
    return {
      sinceMs,
      deposits,
      voids,
      otherVoids: total(totals?.o_count, totals?.o_total),
      cashToHandOverMinor,
      recent: rows.map((row) => toAuthorization(row, deps, nowMs)),
      clerkName: name?.name ?? '',
    };
  });
}
