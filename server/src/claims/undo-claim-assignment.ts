import type { CurrencyCode } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { findAccount } from '../ledger/accounts.js';
import { createTransfers, findTransfer } from '../ledger/ledger.js';
import type { StoredTransfer } from '../ledger/transfer.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';

export interface UndoClaimAssignmentInput {
  readonly claimId: string;
  /** The id of the compensating transfer, chosen by the console so a retry moves the money once. */
  readonly undoId: string;
  /** The assignment to undo: the transfer that credited the claim to the wrong shopper. */
  readonly assignmentId: string;
  readonly reason: string;
  /** Who undid it, for the audit log: an ops staff id or "ops-token". */
  readonly by: string;
}

export interface ClaimAssignmentUndo {
  /** `exists`: this undo was made before (a retry); nothing moved this time. */
  readonly result: 'created' | 'exists';
  readonly claimId: string;
  readonly undoId: string;
  readonly assignmentId: string;
  readonly shopperId: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
}

interface ClaimRow extends Record<string, unknown> {
  id: string;
  amount_minor: number;
  currency: CurrencyCode;
  redeemed_transfer_id: string | null;
}

interface AssignmentRow extends Record<string, unknown> {
  transfer_id: string;
  claim_id: string;
  shopper_id: string;
  undo_transfer_id: string | null;
  undo_reason: string | null;
}

const assignmentColumns = 'transfer_id, claim_id, shopper_id, undo_transfer_id, undo_reason';

/**
 * Takes back a claim ops credited to the wrong shopper (assignClaim): one compensating transfer moves its
 * money from that wallet back to suspense, naming the assignment and the reason, and the claim is held
 * again, to be credited to its owner or redeemed. The wallet must still hold the money: a wallet never
 * goes below zero, so if it was spent the undo is refused with INSUFFICIENT_FUNDS and changes nothing.
 *
 * Exactly once: the claim row is locked first, so undos of one claim (a retry, a second operator) queue
 * and the later ones find the first; a retry under the same undo id answers `exists`, a second undo of
 * the same assignment ALREADY_VOIDED. Only an ops assignment is undone here: a claim the shopper redeemed
 * with its code or receipt was theirs by proof (CONFLICT).
 */
export async function undoClaimAssignment(
  deps: Deps,
  input: UndoClaimAssignmentInput,
): Promise<ClaimAssignmentUndo> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const claim = await tx.get<ClaimRow>(
      `SELECT id, amount_minor, currency, redeemed_transfer_id FROM claims WHERE id = ?${forUpdate(tx.dialect)}`,
      [input.claimId],
    );
    if (claim === undefined) throw new CodedError('NOT_FOUND');
    const earlier = await tx.get<AssignmentRow>(
      `SELECT ${assignmentColumns} FROM claim_assignments WHERE undo_transfer_id = ?`,
      [input.undoId],
    );
    if (earlier !== undefined) return earlierUndo(claim, earlier, input);
    const assignment = await tx.get<AssignmentRow>(
      `SELECT ${assignmentColumns} FROM claim_assignments WHERE transfer_id = ? AND claim_id = ?`,
      [input.assignmentId, claim.id],
    );
    if (assignment === undefined) throw notAnOpsAssignment(claim, input.assignmentId);
    if (assignment.undo_transfer_id !== null)
      throw new CodedError('ALREADY_VOIDED', { undoId: assignment.undo_transfer_id });
    if (claim.redeemed_transfer_id !== assignment.transfer_id)
      throw new Error('an ops assignment that stands is not what its claim was redeemed by');
    const walletAccountId = await takeBack(tx, input, nowMs);
    await holdAgain(tx, claim, input, nowMs);
    await appendAudit(
      tx,
      {
        kind: 'claim.assignmentUndone',
        subject: walletAccountId,
        data: {
          claimId: claim.id,
          assignmentId: input.assignmentId,
          undoId: input.undoId,
          shopperId: assignment.shopper_id,
          amountMinor: claim.amount_minor,
          currency: claim.currency,
          reason: input.reason,
          by: input.by,
        },
      },
      nowMs,
    );
    return undoOf('created', claim, assignment, input);
  });
}

function undoOf(
  result: 'created' | 'exists',
  claim: ClaimRow,
  assignment: AssignmentRow,
  input: UndoClaimAssignmentInput,
): ClaimAssignmentUndo {
  return {
    result,
    claimId: claim.id,
    undoId: input.undoId,
    assignmentId: assignment.transfer_id,
    shopperId: assignment.shopper_id,
    amountMinor: claim.amount_minor,
    currency: claim.currency,
  };
}

/** A retry of an undo answers it again; the same id for another claim, assignment or reason is refused. */
function earlierUndo(
  claim: ClaimRow,
  earlier: AssignmentRow,
  input: UndoClaimAssignmentInput,
): ClaimAssignmentUndo {
  if (
    earlier.claim_id !== claim.id ||
    earlier.transfer_id !== input.assignmentId ||
    earlier.undo_reason !== input.reason
  )
    throw new CodedError('IDEMPOTENCY_CONFLICT', { undoId: input.undoId });
  return undoOf('exists', claim, earlier, input);
}

/** Why an assignment id that ops never made for this claim cannot be undone. */
function notAnOpsAssignment(claim: ClaimRow, assignmentId: string): CodedError {
  // The shopper redeemed it with the code or the kiosk receipt: proof it was theirs, not an ops decision.
  if (claim.redeemed_transfer_id === assignmentId)
    return new CodedError('CONFLICT', { reason: 'redeemedByShopper' });
  return new CodedError('NOT_FOUND', { field: 'assignmentId' });
}

/**
 * The compensating transfer, wallet -> suspense, through the ledger's reversal (it must mirror the
 * assignment and can be made once). Answers the wallet it took the money from.
 */
async function takeBack(tx: Tx, input: UndoClaimAssignmentInput, nowMs: number): Promise<string> {
  const assignment = await findTransfer(tx, input.assignmentId);
  if (assignment === undefined) throw new Error('an ops assignment without its transfer');
  const [result] = await createTransfers(
    tx,
    [
      {
        id: input.undoId,
        debitAccountId: assignment.creditAccountId,
        creditAccountId: assignment.debitAccountId,
        amountMinor: assignment.amountMinor,
        currency: assignment.currency,
        code: 'reversal',
        reversesId: assignment.id,
        reason: input.reason,
      },
    ],
    nowMs,
  );
  switch (result) {
    case 'created':
      return assignment.creditAccountId;
    case 'exceedsBalance':
      throw await insufficientFunds(tx, assignment);
    case 'existsWithDifferentFields':
      throw new CodedError('IDEMPOTENCY_CONFLICT', { undoId: input.undoId });
    default:
      // 'exists' or 'alreadyReversed' would mean a reversal of the assignment without its undo record,
      // which the claim's lock rules out.
      throw new Error(`a checked undo of a claim assignment failed: ${String(result)}`);
  }
}

/** The wallet no longer holds the claim's money (it was spent): said with what it holds now. */
async function insufficientFunds(tx: Tx, assignment: StoredTransfer): Promise<CodedError> {
  const wallet = await findAccount(tx, assignment.creditAccountId);
  if (wallet === undefined) throw new Error('an assignment credited a wallet that does not exist');
  return new CodedError('INSUFFICIENT_FUNDS', {
    balanceMinor: wallet.creditsPosted - wallet.debitsPosted,
    amountMinor: assignment.amountMinor,
  });
}

/**
 * The claim is held again and the assignment's deposit record reversed, so the wallet's history shows the
 * credit taken back. The claim keeps its code: the shopper it belongs to may still hold the receipt that
 * carries it, and the wrong shopper was never given it (an assignment shows only the masked code), so the
 * code still proves ownership and the rightful shopper can redeem it themselves.
 */
async function holdAgain(
  tx: Tx,
  claim: ClaimRow,
  input: UndoClaimAssignmentInput,
  nowMs: number,
): Promise<void> {
  await tx.run("UPDATE deposits SET status = 'reversed' WHERE transfer_id = ?", [input.assignmentId]);
  const held = await tx.run(
    `UPDATE claims SET redeemed_by_shopper_id = NULL, redeemed_transfer_id = NULL, redeemed_at_ms = NULL
      WHERE id = ? AND redeemed_transfer_id = ?`,
    [claim.id, input.assignmentId],
  );
  const undone = await tx.run(
    `UPDATE claim_assignments SET undo_transfer_id = ?, undo_reason = ?, undone_by = ?, undone_at_ms = ?
      WHERE transfer_id = ? AND undo_transfer_id IS NULL`,
    [input.undoId, input.reason, input.by, nowMs, input.assignmentId],
  );
  if (held !== 1 || undone !== 1) throw new Error('a locked claim changed under its undo');
}
