import type { Code, CurrencyCode } from '@cashin/shared';
import { CodedError, maskCode } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import { countCodeTry } from '../codes/code-lookup.js';
import type { Deps } from '../deps.js';
import { ensureSystemAccount } from '../ledger/accounts.js';
import { createTransfers } from '../ledger/ledger.js';
import { insertDeposit } from '../deposits/deposit-record.js';
import { allowance, allows, needsCashReport, walletUsage } from '../limits/allowance.js';
import type { Shopper } from '../shoppers/shoppers.js';
import { findShopper, findShopperByPhone } from '../shoppers/shoppers.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
import { claimCodeHash, maskedClaimCode } from './claim-code.js';

export interface RedeemedClaim {
  /** `exists`: the same shopper had redeemed this claim already (a retry); nothing moved this time. */
  readonly result: 'created' | 'exists';
  readonly claimId: string;
  readonly transferId: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  /** Credited, or credited and held for review when it passes the wallet's limits. */
  readonly status: 'credited' | 'inReview';
}

/** A claim row, as crediting it needs it. */
interface ClaimRow extends Record<string, unknown> {
  id: string;
  code_hash: string;
  amount_minor: number;
  currency: CurrencyCode;
  deposit_transfer_id: string;
  redeemed_transfer_id: string | null;
  redeemed_by_shopper_id: string | null;
}

const claimColumns =
  'id, code_hash, amount_minor, currency, deposit_transfer_id, redeemed_transfer_id, redeemed_by_shopper_id';

/**
 * Moves a claim's money from suspense into the shopper's wallet with `transferId`, inside the caller's
 * transaction: the claim row is marked first (a conditional UPDATE only one transaction can win) and the
 * transfer commits with it. The claim is cash the shopper handed over, so it is recorded as a deposit
 * into the wallet: it counts against the wallet's rolling limits (otherwise suspense would be a way around
 * them) and, the cash being long taken, it is never refused; over the limits it is credited and held for
 * review. The audit entry (`audit`, on the wallet's chain) records how the claim was redeemed.
 */
async function creditClaim(
  tx: Tx,
  deps: Deps,
  claim: ClaimRow,
  shopper: Shopper,
  transfer: { id: string; codeMasked: string; nowMs: number },
  audit: { kind: 'claim.redeemed' | 'claim.assigned'; data: Record<string, string | number | null> },
): Promise<RedeemedClaim> {
  const { id: transferId, nowMs } = transfer;
  if (shopper.currency !== claim.currency) throw new CodedError('CURRENCY_MISMATCH');
  const won = await tx.run(
    `UPDATE claims SET redeemed_by_shopper_id = ?, redeemed_transfer_id = ?, redeemed_at_ms = ?
     WHERE id = ? AND redeemed_transfer_id IS NULL`,
    [shopper.id, transferId, nowMs, claim.id],
  );
  if (won === 0) throw new CodedError('CLAIM_ALREADY_REDEEMED');
  const suspenseId = await ensureSystemAccount(tx, 'suspense', claim.currency, deps.newId, nowMs);
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
  // An id already in the ledger for something else: nothing is written, the whole transaction rolls back.
  if (result === 'exists' || result === 'existsWithDifferentFields')
    throw new CodedError('IDEMPOTENCY_CONFLICT', { transferId });
  if (result !== 'created') throw new Error(`a claim transfer failed: ${String(result)}`);
  const usage = await walletUsage(tx, shopper.walletAccountId, nowMs);
  const allowed = allows(allowance(deps.limits, claim.currency, shopper.kycTier, usage), claim.amount_minor);
  const status = allowed ? 'credited' : 'inReview';
  await insertDeposit(tx, {
    transferId,
    shopperId: shopper.id,
    walletAccountId: shopper.walletAccountId,
    codeHash: claim.code_hash,
    codeMasked: transfer.codeMasked,
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
      kind: audit.kind,
      subject: shopper.walletAccountId,
      data: {
        claimId: claim.id,
        transferId,
        amountMinor: claim.amount_minor,
        currency: claim.currency,
        ...audit.data,
      },
    },
    nowMs,
  );
  return {
    result: 'created',
    claimId: claim.id,
    transferId,
    amountMinor: claim.amount_minor,
    currency: claim.currency,
    status,
  };
}

/**
 * A claim already redeemed: by this shopper, the first redemption again (their retry after a lost
 * answer must not read as someone else having taken the money); by anyone else, CLAIM_ALREADY_REDEEMED.
 */
async function earlierRedemption(tx: Tx, claim: ClaimRow, shopperId: string): Promise<RedeemedClaim> {
  const transferId = claim.redeemed_transfer_id;
  if (transferId === null) throw new Error('the claim was not redeemed');
  if (claim.redeemed_by_shopper_id !== shopperId) throw new CodedError('CLAIM_ALREADY_REDEEMED');
  const deposit = await tx.get<{ status: string }>('SELECT status FROM deposits WHERE transfer_id = ?', [
    transferId,
  ]);
  if (deposit === undefined) throw new Error('a redeemed claim has no deposit record');
  return {
    result: 'exists',
    claimId: claim.id,
    transferId,
    amountMinor: claim.amount_minor,
    currency: claim.currency,
    status: deposit.status === 'inReview' ? 'inReview' : 'credited',
  };
}

/**
 * Moves a suspense deposit into the signed-in shopper's wallet, exactly once (see creditClaim).
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
    const claim = await lockClaim(tx, 'code_hash', claimCodeHash(deps.claimCodeSecret, claimCode));
    if (claim === undefined) throw new CodedError('CODE_UNKNOWN');
    return redeemLockedClaim(tx, deps, shopperId, claim, {
      id: transferId,
      codeMasked: maskCode(claimCode),
      nowMs,
      data: {},
    });
  });
}

/** The claim, locked, so a double tap queues behind the first redemption and answers it as `exists`. */
function lockClaim(
  tx: Tx,
  by: 'code_hash' | 'deposit_transfer_id',
  value: string,
): Promise<ClaimRow | undefined> {
  return tx.get<ClaimRow>(`SELECT ${claimColumns} FROM claims WHERE ${by} = ?${forUpdate(tx.dialect)}`, [
    value,
  ]);
}

/** A locked claim into the shopper's wallet, or the earlier redemption of it (see earlierRedemption). */
async function redeemLockedClaim(
  tx: Tx,
  deps: Deps,
  shopperId: string,
  claim: ClaimRow,
  transfer: { id: string; codeMasked: string; nowMs: number; data: Record<string, string> },
): Promise<RedeemedClaim> {
  if (claim.redeemed_transfer_id !== null) return earlierRedemption(tx, claim, shopperId);
  const shopper = await findShopper(tx, shopperId);
  if (shopper === undefined) throw new CodedError('UNAUTHENTICATED');
  return creditClaim(tx, deps, claim, shopper, transfer, { kind: 'claim.redeemed', data: transfer.data });
}

/**
 * Moves the suspense money of a kiosk deposit (a voucher, or a code that was unknown or revoked) into the
 * signed-in shopper's wallet, inside the caller's transaction: the deposit's signed receipt is the proof,
 * as the voucher's printed claim code is. Exactly once, like redeemClaim; answered as `exists` to the
 * shopper who redeemed it before.
 */
export async function redeemDepositClaim(
  tx: Tx,
  deps: Deps,
  shopperId: string,
  depositTransferId: string,
  nowMs: number,
): Promise<RedeemedClaim> {
  const claim = await lockClaim(tx, 'deposit_transfer_id', depositTransferId);
  if (claim === undefined) throw new CodedError('CLAIM_ALREADY_REDEEMED');
  return redeemLockedClaim(tx, deps, shopperId, claim, {
    id: deps.newId(),
    codeMasked: await claimCodeMasked(tx, deps, claim),
    nowMs,
    data: { receipt: depositTransferId },
  });
}

export interface ClaimAssignment extends RedeemedClaim {
  readonly shopperId: string;
}

/**
 * An operator credits a claim to the shopper who proved it is theirs (a lost receipt), found by phone:
 * the same crediting as the shopper's own redemption (limits, review, audit), under the transfer id the
 * console chose, so a retry answers `exists` and credits nothing twice. A claim already redeemed, by
 * anyone else or under another id, is CLAIM_ALREADY_REDEEMED. The assignment is recorded beside the claim
 * (claim_assignments), so it can be undone if it went to the wrong shopper (undo-claim-assignment.ts);
 * an assignment already undone is not made again under its old id (CONFLICT).
 */
export async function assignClaim(
  deps: Deps,
  input: { claimId: string; assignmentId: string; phone: string; reason: string; by: string },
): Promise<ClaimAssignment> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const claim = await tx.get<ClaimRow>(
      `SELECT ${claimColumns} FROM claims WHERE id = ?${forUpdate(tx.dialect)}`,
      [input.claimId],
    );
    if (claim === undefined) throw new CodedError('NOT_FOUND');
    if (claim.redeemed_transfer_id !== null) {
      if (claim.redeemed_transfer_id !== input.assignmentId) throw new CodedError('CLAIM_ALREADY_REDEEMED');
      const done = await tx.get<{ shopper_id: string; status: string }>(
        'SELECT shopper_id, status FROM deposits WHERE transfer_id = ?',
        [input.assignmentId],
      );
      if (done === undefined) throw new Error('a redeemed claim has no deposit record');
      return {
        result: 'exists',
        claimId: claim.id,
        transferId: input.assignmentId,
        shopperId: done.shopper_id,
        amountMinor: claim.amount_minor,
        currency: claim.currency,
        status: done.status === 'inReview' ? 'inReview' : 'credited',
      };
    }
    if (await wasAssignedBefore(tx, claim.id, input.assignmentId))
      throw new CodedError('CONFLICT', { reason: 'assignmentUndone' });
    const shopper = await findShopperByPhone(tx, input.phone);
    if (shopper === undefined) throw new CodedError('NOT_FOUND', { field: 'phone' });
    const codeMasked = await claimCodeMasked(tx, deps, claim);
    const credited = await creditClaim(
      tx,
      deps,
      claim,
      shopper,
      { id: input.assignmentId, codeMasked, nowMs },
      { kind: 'claim.assigned', data: { reason: input.reason, by: input.by } },
    );
    await tx.run(
      `INSERT INTO claim_assignments (transfer_id, claim_id, shopper_id, reason, assigned_by, assigned_at_ms)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [input.assignmentId, claim.id, shopper.id, input.reason, input.by, nowMs],
    );
    return { ...credited, result: 'created', shopperId: shopper.id };
  });
}

/**
 * Whether this claim was assigned under `assignmentId` before and the assignment since undone (the claim is
 * held again): a late retry of that assignment must not credit the claim a second time under the same id.
 */
async function wasAssignedBefore(tx: Tx, claimId: string, assignmentId: string): Promise<boolean> {
  const row = await tx.get(
    'SELECT transfer_id FROM claim_assignments WHERE transfer_id = ? AND claim_id = ?',
    [assignmentId, claimId],
  );
  return row !== undefined;
}

/** The claim's code as ops see it: a voucher's as the kiosk stored it, else derived from the deposit. */
async function claimCodeMasked(tx: Tx, deps: Deps, claim: ClaimRow): Promise<string> {
  const voucher = await tx.get<{ claim_code_masked: string | null; credited_to: string }>(
    'SELECT claim_code_masked, credited_to FROM kiosk_deposits WHERE deposit_id = ?',
    [claim.deposit_transfer_id],
  );
  return voucher?.credited_to === 'claim' && voucher.claim_code_masked !== null
    ? voucher.claim_code_masked
    : maskedClaimCode(deps.claimCodeSecret, claim.deposit_transfer_id);
}
