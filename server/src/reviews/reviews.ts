import type { ReviewItem } from '@cashin/shared';
import { CodedError, ReviewItemSchema, reviewsListedMax } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { maskedName } from '../shoppers/shoppers.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';

/**
 * The review queue: deposits credited with their cash already taken but held for a person (a limit overrun
 * offline, a crash, lost coin events), and deposits that took a shopper's day past the cash-report
 * threshold. An operator clears a hold (the deposit stays credited) or reverses the deposit
 * (deposits/reverse-deposit.ts); records that a report was filed; each act is audited on the wallet's
 * chain with who acted.
 */

/** The term of the partial index deposits_attention (migration 110), word for word. */
const needsAttention = "(status = 'inReview' OR (cash_report_flag = 1 AND cash_report_filed_at_ms IS NULL))";

interface ReviewRow extends Record<string, unknown> {
  transfer_id: string;
  amount_minor: number | string;
  currency: string;
  created_at_ms: number | string;
  shopper_id: string | null;
  shopper_name: string | null;
  wallet_account_id: string | null;
  code_masked: string;
  source_kind: string | null;
  source_owner: string | null;
  status: string;
  review_reason: string | null;
  review_flags: string | null;
  cash_report_flag: number;
  cash_report_filed_at_ms: number | string | null;
  reviewed_at_ms: number | string | null;
}

const reviewSelect = `SELECT d.transfer_id, d.amount_minor, d.currency, d.created_at_ms, d.shopper_id,
       s.name AS shopper_name, d.wallet_account_id, d.code_masked, a.kind AS source_kind,
       a.owner_ref AS source_owner, d.status, d.review_reason, k.review_flags, d.cash_report_flag,
       d.cash_report_filed_at_ms, d.reviewed_at_ms
  FROM deposits d
  LEFT JOIN shoppers s ON s.id = d.shopper_id
  LEFT JOIN accounts a ON a.id = d.source_account_id
  LEFT JOIN kiosk_deposits k ON k.deposit_id = d.transfer_id`;

/** A row as the wire shape; the schema checks what the database holds. */
function itemOf(row: ReviewRow): ReviewItem {
  const reasons = [
    ...(row.review_reason === null ? [] : [row.review_reason]),
    ...(row.review_flags === null ? [] : row.review_flags.split(',')),
  ];
  return ReviewItemSchema.parse({
    depositId: row.transfer_id,
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    createdAtMs: Number(row.created_at_ms),
    shopperId: row.shopper_id,
    shopperName: row.shopper_id === null ? null : maskedName(row.shopper_name),
    walletAccountId: row.wallet_account_id,
    codeMasked: row.code_masked,
    // Every deposit names the account its money came from; the schema refuses a row where it does not.
    source: { kind: row.source_kind, ownerId: row.source_owner },
    status: row.status,
    // A hold cleared by a person keeps its reasons on record but no longer asks for anything.
    reasons: row.status === 'inReview' ? reasons : [],
    cashReport: row.cash_report_flag === 1 ? (row.cash_report_filed_at_ms === null ? 'due' : 'filed') : null,
  });
}

/** The queue, oldest first: every deposit held for review or with a cash report due. */
export async function listReviews(deps: Pick<Deps, 'db'>): Promise<ReviewItem[]> {
  const rows = await deps.db.transaction((tx) =>
    tx.all<ReviewRow>(
      `${reviewSelect}
        WHERE d.transfer_id IN (SELECT transfer_id FROM deposits WHERE ${needsAttention}
                                 ORDER BY created_at_ms, transfer_id LIMIT ?)
        ORDER BY d.created_at_ms, d.transfer_id`,
      [reviewsListedMax],
    ),
  );
  return rows.map(itemOf);
}

/** How many deposits wait in the queue (an index-only count over the partial index). */
export async function countReviews(deps: Pick<Deps, 'db'>): Promise<number> {
  const row = await deps.db.transaction((tx) =>
    tx.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM deposits WHERE ${needsAttention}`),
  );
  // PostgreSQL answers a bigint count as text.
  return Number(row?.n ?? 0);
}

async function lockedItem(tx: Tx, depositId: string): Promise<ReviewRow> {
  // The deposit row is locked (PostgreSQL) before it is read, so a clearance and a reversal of the same
  // deposit queue rather than both acting on what they read.
  const locked = await tx.get<{ transfer_id: string }>(
    `SELECT transfer_id FROM deposits WHERE transfer_id = ?${forUpdate(tx.dialect)}`,
    [depositId],
  );
  if (locked === undefined) throw new CodedError('NOT_FOUND');
  const row = await tx.get<ReviewRow>(`${reviewSelect} WHERE d.transfer_id = ?`, [depositId]);
  if (row === undefined) throw new Error('a deposit just locked vanished');
  return row;
}

/**
 * Keeps a held deposit credited: its status goes from inReview to credited, with who cleared it, when and
 * their note. A retry of a clearance answers the deposit as it stands; a deposit that was never held, or
 * was reversed, is CONFLICT (with its status), for a reversal is not undone here.
 */
export async function clearReview(
  deps: Pick<Deps, 'db' | 'clock'>,
  input: { depositId: string; note: string; by: string },
): Promise<ReviewItem> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const row = await lockedItem(tx, input.depositId);
    if (row.status !== 'inReview') {
      if (row.status === 'credited' && row.reviewed_at_ms !== null) return itemOf(row);
      throw new CodedError('CONFLICT', { reason: 'notInReview', status: row.status });
    }
    await tx.run(
      `UPDATE deposits SET status = 'credited', reviewed_by = ?, reviewed_at_ms = ?, review_note = ?
        WHERE transfer_id = ?`,
      [input.by, nowMs, input.note, input.depositId],
    );
    await appendAudit(
      tx,
      {
        kind: 'deposit.reviewCleared',
        subject: row.wallet_account_id ?? input.depositId,
        data: { depositId: input.depositId, note: input.note, by: input.by },
      },
      nowMs,
    );
    return itemOf({ ...row, status: 'credited', reviewed_at_ms: nowMs });
  });
}

/**
 * Records the currency transaction report filed for a shopper's cash: every deposit of that wallet with a
 * report due, up to and including this one, is marked filed under the reference (one report covers the
 * cash so far). A retry with the same reference answers the deposits it covered; a deposit with no report
 * due, or one already covered by another reference, is CONFLICT.
 */
export async function fileCashReport(
  deps: Pick<Deps, 'db' | 'clock'>,
  input: { depositId: string; reference: string; by: string },
): Promise<{ reference: string; depositIds: string[] }> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const row = await tx.get<ReviewRow>(`${reviewSelect} WHERE d.transfer_id = ?`, [input.depositId]);
    if (row === undefined) throw new CodedError('NOT_FOUND');
    const walletId = row.wallet_account_id;
    if (row.cash_report_flag !== 1 || walletId === null)
      throw new CodedError('CONFLICT', { reason: 'noCashReportDue' });
    // Every deposit of the wallet still due up to this one, locked in one order (PostgreSQL), so two
    // operators filing for the same shopper at once queue instead of deadlocking; rows another filing
    // took meanwhile drop out when the lock is granted.
    const due = await tx.all<{ transfer_id: string }>(
      `SELECT transfer_id FROM deposits
        WHERE ${needsAttention} AND cash_report_flag = 1 AND cash_report_filed_at_ms IS NULL
          AND wallet_account_id = ? AND created_at_ms <= ?
        ORDER BY created_at_ms, transfer_id${forUpdate(tx.dialect)}`,
      [walletId, Number(row.created_at_ms)],
    );
    const depositIds = due.map((entry) => entry.transfer_id);
    if (!depositIds.includes(input.depositId)) {
      const filed = await tx.get<{ cash_report_reference: string | null }>(
        'SELECT cash_report_reference FROM deposits WHERE transfer_id = ?',
        [input.depositId],
      );
      if (filed?.cash_report_reference !== input.reference)
        throw new CodedError('CONFLICT', { reason: 'cashReportAlreadyFiled' });
      const covered = await tx.all<{ transfer_id: string }>(
        `SELECT transfer_id FROM deposits WHERE wallet_account_id = ? AND cash_report_reference = ?
          ORDER BY created_at_ms, transfer_id`,
        [walletId, input.reference],
      );
      return { reference: input.reference, depositIds: covered.map((entry) => entry.transfer_id) };
    }
    for (const depositId of depositIds) {
      await tx.run(
        `UPDATE deposits SET cash_report_reference = ?, cash_report_filed_by = ?, cash_report_filed_at_ms = ?
          WHERE transfer_id = ?`,
        [input.reference, input.by, nowMs, depositId],
      );
    }
    await appendAudit(
      tx,
      {
        kind: 'deposit.cashReportFiled',
        subject: walletId,
        data: {
          depositId: input.depositId,
          reference: input.reference,
          covered: depositIds.length,
          by: input.by,
        },
      },
      nowMs,
    );
    return { reference: input.reference, depositIds };
  });
}
