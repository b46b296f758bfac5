import type { CurrencyCode, SuspenseAssignmentSchema } from '@cashin/shared';
import { CodedError, suspenseAssignmentsListedMax, suspensePageEntriesMax } from '@cashin/shared';
import type { z } from 'zod';
import { maskedClaimCode } from '../claims/claim-code.js';
import type { Deps } from '../deps.js';
import { maskPhone } from '../shoppers/message-sender.js';
import { maskedName } from '../shoppers/shoppers.js';
import { selectIn } from '../storage/bulk-sql.js';
import type { Tx } from '../storage/db.js';

export type SuspenseAssignment = z.output<typeof SuspenseAssignmentSchema>;

export interface SuspenseEntry {
  readonly id: string;
  readonly depositId: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly reason: 'codeUnknown' | 'codeRevoked' | 'voucher' | 'reversal';
  readonly claimCodeMasked: string | null;
  readonly status: 'held' | 'claimed';
  readonly createdAtMs: number;
  readonly assignments: SuspenseAssignment[];
}

export interface SuspensePage {
  readonly entries: SuspenseEntry[];
  readonly next: string | null;
  readonly held: { currency: CurrencyCode; count: number; totalMinor: number }[];
}

interface Cursor {
  readonly createdAtMs: number;
  readonly id: string;
}

function cursorOf(entry: { createdAtMs: number; id: string }): string {
  return `${entry.createdAtMs}.${entry.id}`;
}

/** A cursor this server made (`createdAtMs.claimId`); the query schema has checked its shape. */
function parseCursor(text: string): Cursor {
  const dot = text.indexOf('.');
  const parsed = { createdAtMs: Number(text.slice(0, dot)), id: text.slice(dot + 1) };
  if (dot < 1 || !Number.isSafeInteger(parsed.createdAtMs) || parsed.id === '')
    throw new CodedError('VALIDATION_FAILED', { field: 'after' });
  return parsed;
}

interface AssignmentRow extends Record<string, unknown> {
  transfer_id: string;
  claim_id: string;
  shopper_id: string;
  shopper_name: string | null;
  shopper_phone: string;
  reason: string;
  assigned_by: string;
  assigned_at_ms: number | string;
  undo_transfer_id: string | null;
  undo_reason: string | null;
  undone_by: string | null;
  undone_at_ms: number | string | null;
}

function assignmentOf(row: AssignmentRow): SuspenseAssignment {
  return {
    assignmentId: row.transfer_id,
    shopperId: row.shopper_id,
    shopperName: maskedName(row.shopper_name),
    shopperPhoneMasked: maskPhone(row.shopper_phone),
    reason: row.reason,
    by: row.assigned_by,
    assignedAtMs: Number(row.assigned_at_ms),
    undo:
      row.undo_transfer_id === null
        ? null
        : {
            undoId: row.undo_transfer_id,
            reason: row.undo_reason ?? '',
            by: row.undone_by ?? '',
            atMs: Number(row.undone_at_ms),
          },
  };
}

/**
 * The ops assignments of the claims on a page, with their undos, per claim oldest first: the newest
 * suspenseAssignmentsListedMax of each, however often a claim went back and forth.
 */
async function assignmentsOf(
  tx: Tx,
  claimIds: readonly string[],
): Promise<Map<string, SuspenseAssignment[]>> {
  const rows = await selectIn<AssignmentRow>(
    tx,
    (inList) =>
      `SELECT * FROM (
         SELECT a.transfer_id, a.claim_id, a.shopper_id, s.name AS shopper_name, s.phone AS shopper_phone,
                a.reason, a.assigned_by, a.assigned_at_ms, a.undo_transfer_id, a.undo_reason, a.undone_by,
                a.undone_at_ms,
                ROW_NUMBER() OVER (PARTITION BY a.claim_id ORDER BY a.assigned_at_ms DESC, a.transfer_id DESC) AS newness
           FROM claim_assignments a JOIN shoppers s ON s.id = a.shopper_id
          WHERE a.claim_id IN (${inList})) listed
        WHERE newness <= ?
        ORDER BY claim_id, assigned_at_ms, transfer_id`,
    claimIds,
    [],
    [suspenseAssignmentsListedMax],
  );
  const byClaim = new Map<string, SuspenseAssignment[]>();
  for (const row of rows) {
    const listed = byClaim.get(row.claim_id) ?? [];
    listed.push(assignmentOf(row));
    byClaim.set(row.claim_id, listed);
  }
  return byClaim;
}

/**
 * Money held in suspense and its claims: cash for an unknown or revoked code, a voucher's, and a reversed
 * kiosk deposit's (its claim names the reversal transfer). A voucher's claim code is the kiosk's (masked
 * as stored); any other claim code is derived from the id of the transfer that put the money in suspense
 * and shown masked, so ops can tell a shopper which claim is theirs without the listing ever carrying a
 * usable code.
 *
 * By default the held claims, oldest first (money that has waited longest is what ops must see, however
 * much arrived since), a page of suspensePageEntriesMax at a time; `all` adds the claimed ones, newest
 * first. Each page also carries the total held per currency, read from the same snapshot as the page,
 * and each claim its ops assignments and their undos (a claim credited to the wrong shopper and taken
 * back is held again, with that history beside it).
 */
export async function listSuspense(
  deps: Pick<Deps, 'db' | 'claimCodeSecret'>,
  query: { status?: 'held' | 'all' | undefined; after?: string | undefined } = {},
): Promise<SuspensePage> {
  const held = (query.status ?? 'held') === 'held';
  const after = query.after === undefined ? undefined : parseCursor(query.after);
  // One more than a page, to know whether another follows.
  const limit = suspensePageEntriesMax + 1;
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (held) where.push('c.redeemed_transfer_id IS NULL');
  if (after !== undefined) {
    where.push(
      held
        ? '(c.created_at_ms > ? OR (c.created_at_ms = ? AND c.id > ?))'
        : '(c.created_at_ms < ? OR (c.created_at_ms = ? AND c.id < ?))',
    );
    params.push(after.createdAtMs, after.createdAtMs, after.id);
  }
  const order = held ? 'c.created_at_ms, c.id' : 'c.created_at_ms DESC, c.id DESC';
  const { rows, totals, assignments } = await deps.db.transaction(
    async (tx) => {
      const rows = await tx.all<{
        id: string;
        deposit_transfer_id: string;
        amount_minor: number;
        currency: CurrencyCode;
        review_reason: string | null;
        transfer_code: string;
        reverses_id: string | null;
        voucher_code_masked: string | null;
        credited_to: string | null;
        redeemed_transfer_id: string | null;
        created_at_ms: number;
      }>(
        `SELECT c.id, c.deposit_transfer_id, c.amount_minor, c.currency, d.review_reason,
           t.code AS transfer_code, t.reverses_id,
           k.claim_code_masked AS voucher_code_masked, k.credited_to, c.redeemed_transfer_id, c.created_at_ms
         FROM (SELECT * FROM claims c${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
                ORDER BY ${order} LIMIT ${limit}) c
         JOIN transfers t ON t.id = c.deposit_transfer_id
         LEFT JOIN deposits d ON d.transfer_id = c.deposit_transfer_id
         LEFT JOIN kiosk_deposits k ON k.deposit_id = c.deposit_transfer_id
         ORDER BY ${order}`,
        params,
      );
      const totals = await tx.all<{ currency: CurrencyCode; count: number | string; total: number | string }>(
        `SELECT currency, COUNT(*) AS count, SUM(amount_minor) AS total FROM claims
          WHERE redeemed_transfer_id IS NULL GROUP BY currency ORDER BY currency`,
      );
      const listed = rows.slice(0, suspensePageEntriesMax).map((row) => row.id);
      return { rows, totals, assignments: await assignmentsOf(tx, listed) };
    },
    { readOnlySnapshot: true },
  );
  const page = rows.slice(0, suspensePageEntriesMax);
  const last = page.at(-1);
  const entries = page.map((row): SuspenseEntry => {
    const voucher = row.credited_to === 'claim';
    return {
      id: row.id,
      // A reversal's claim is listed under the deposit it undid, the id ops know it by.
      depositId: row.reverses_id ?? row.deposit_transfer_id,
      amountMinor: row.amount_minor,
      currency: row.currency,
      reason: voucher
        ? 'voucher'
        : row.transfer_code === 'reversal'
          ? 'reversal'
          : row.review_reason === 'codeRevoked'
            ? 'codeRevoked'
            : 'codeUnknown',
      claimCodeMasked: voucher
        ? row.voucher_code_masked
        : maskedClaimCode(deps.claimCodeSecret, row.deposit_transfer_id),
      status: row.redeemed_transfer_id === null ? 'held' : 'claimed',
      createdAtMs: row.created_at_ms,
      assignments: assignments.get(row.id) ?? [],
    };
  });
  return {
    entries,
    next:
      rows.length > suspensePageEntriesMax && last !== undefined
        ? cursorOf({ createdAtMs: last.created_at_ms, id: last.id })
        : null,
    held: totals.map((row) => ({
      currency: row.currency,
      count: Number(row.count),
      totalMinor: Number(row.total),
    })),
  };
}
