import type { Code, CurrencyCode } from '@cashin/shared';
import { CodedError, generateCode, maskCode, moneyLimitsFor } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { findShopper } from '../shoppers/shoppers.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
import { codeIssueAttemptsMax } from './deposit-codes.js';

export type SlipStatus = 'open' | 'used' | 'expired' | 'cancelled';

export interface Slip {
  readonly code: Code;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly expiresAtMs: number;
  readonly status: SlipStatus;
  readonly createdAtMs: number;
}

/** Slips listed per shopper, newest first. */
export const slipsListedMax = 50;

/** A one-use payment slip for a fixed amount, living between slipTtlMsMin and slipTtlMsMax. */
export async function issueSlip(
  deps: Deps,
  shopperId: string,
  amountMinor: number,
  ttlMs: number,
): Promise<Slip> {
  const system = deps.limits.system;
  if (ttlMs < system.slipTtlMsMin || ttlMs > system.slipTtlMsMax) {
    throw new CodedError('VALIDATION_FAILED', {
      field: 'ttlMs',
      minMs: system.slipTtlMsMin,
      maxMs: system.slipTtlMsMax,
    });
  }
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    // Slips of one shopper are issued one after the other (PostgreSQL), so the open ones are counted right.
    await tx.get(`SELECT id FROM shoppers WHERE id = ?${forUpdate(tx.dialect)}`, [shopperId]);
    const shopper = await findShopper(tx, shopperId);
    if (shopper === undefined) throw new CodedError('UNAUTHENTICATED');
    // A slip is paid at a till: one it could never take is refused now, not in front of the clerk.
    const money = moneyLimitsFor(deps.limits, shopper.currency);
    if (amountMinor < money.tillDepositMinMinor)
      throw new CodedError('AMOUNT_BELOW_MINIMUM', { minimumMinor: money.tillDepositMinMinor });
    if (amountMinor > money.tillDepositMaxMinor)
      throw new CodedError('AMOUNT_ABOVE_MAXIMUM', { maximumMinor: money.tillDepositMaxMinor });
    const open = await tx.get<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM slips
        WHERE shopper_id = ? AND used_transfer_id IS NULL AND cancelled_at_ms IS NULL AND expires_at_ms > ?`,
      [shopperId, nowMs],
    );
    if (Number(open?.n ?? 0) >= system.slipsOpenPerShopperMax)
      throw new CodedError('SLIPS_OPEN_MAX', { openMax: system.slipsOpenPerShopperMax });
    for (let attempt = 0; attempt < codeIssueAttemptsMax; attempt += 1) {
      const code = generateCode('slip');
      const inserted = await tx.run(
        `INSERT INTO slips (code, shopper_id, amount_minor, currency, expires_at_ms, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [code, shopperId, amountMinor, shopper.currency, nowMs + ttlMs, nowMs],
      );
      if (inserted === 1) {
        await appendAudit(
          tx,
          {
            kind: 'slip.issued',
            subject: shopperId,
            data: {
              code: maskCode(code),
              amountMinor,
              currency: shopper.currency,
              expiresAtMs: nowMs + ttlMs,
            },
          },
          nowMs,
        );
        return {
          code,
          amountMinor,
          currency: shopper.currency,
          expiresAtMs: nowMs + ttlMs,
          status: 'open',
          createdAtMs: nowMs,
        };
      }
    }
    throw new Error('could not find an unused slip code');
  });
}

interface SlipRow extends Record<string, unknown> {
  code: Code;
  amount_minor: number;
  currency: CurrencyCode;
  expires_at_ms: number;
  used_transfer_id: string | null;
  cancelled_at_ms: number | null;
  created_at_ms: number;
}

const slipColumns =
  'code, amount_minor, currency, expires_at_ms, used_transfer_id, cancelled_at_ms, created_at_ms';

/** Why a slip starts no deposit: the code every path refuses it with. */
export type SlipRefusal = 'CODE_USED' | 'CODE_CANCELLED' | 'CODE_EXPIRED';

/**
 * Why a slip starts no deposit at `nowMs`, or undefined while it is open: used wins over cancelled (a
 * cancel never lands on a used slip), then expiry. The one reading of a slip's row, for the lookups, the
 * deposit paths, the till's authorization and the shopper's list and cancel.
 */
export function slipRefusal(
  row: Pick<SlipRow, 'used_transfer_id' | 'cancelled_at_ms' | 'expires_at_ms'>,
  nowMs: number,
): SlipRefusal | undefined {
  if (row.used_transfer_id !== null) return 'CODE_USED';
  if (row.cancelled_at_ms !== null) return 'CODE_CANCELLED';
  if (Number(row.expires_at_ms) <= nowMs) return 'CODE_EXPIRED';
  return undefined;
}

const statusOfRefusal: Record<SlipRefusal, SlipStatus> = {
  CODE_USED: 'used',
  CODE_CANCELLED: 'cancelled',
  CODE_EXPIRED: 'expired',
};

function toSlip(row: SlipRow, nowMs: number): Slip {
  const refusal = slipRefusal(row, nowMs);
  return {
    code: row.code,
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    expiresAtMs: Number(row.expires_at_ms),
    status: refusal === undefined ? 'open' : statusOfRefusal[refusal],
    createdAtMs: Number(row.created_at_ms),
  };
}

export async function listSlips(deps: Deps, shopperId: string): Promise<Slip[]> {
  const nowMs = deps.clock.nowMs();
  const rows = await deps.db.transaction((tx) =>
    tx.all<SlipRow>(
      `SELECT ${slipColumns} FROM slips
       WHERE shopper_id = ? ORDER BY created_at_ms DESC, code DESC LIMIT ?`,
      [shopperId, slipsListedMax],
    ),
  );
  return rows.map((row) => toSlip(row, nowMs));
}

/**
 * Locks a slip (PostgreSQL; SQLite's units run one at a time) and refuses it with its code unless it is
 * still open: for a write that must not race the shopper's cancel or another deposit, such as a till's
 * authorization, whose earlier lookup read the slip without a lock.
 */
export async function lockOpenSlip(tx: Tx, code: Code, nowMs: number): Promise<void> {
  const row = await tx.get<SlipRow>(
    `SELECT ${slipColumns} FROM slips WHERE code = ?${forUpdate(tx.dialect)}`,
    [code],
  );
  if (row === undefined) throw new CodedError('CODE_UNKNOWN');
  const refusal = slipRefusal(row, nowMs);
  if (refusal !== undefined) throw new CodedError(refusal);
}

/**
 * The shopper cancels one of their open slips (lost, shared by mistake, no longer wanted): from then on
 * it starts no deposit (CODE_CANCELLED at a till or kiosk lookup) and no longer counts as open. Cash a
 * kiosk already took against it is still credited, held for review (credit-deposit.ts). Cancelling again
 * answers the cancelled slip. Refused with its code when the slip is used (CODE_USED) or expired
 * (CODE_EXPIRED), and while a till holds a live authorization for it (CONFLICT slipAuthorized): the clerk
 * may be taking the cash right now, and the authorization lapses within minutes if not committed.
 */
export async function cancelSlip(deps: Deps, shopperId: string, code: Code): Promise<Slip> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    // Locked (PostgreSQL) as a deposit resolving the slip locks it: one of the two goes first.
    const row = await tx.get<SlipRow & { shopper_id: string }>(
      `SELECT ${slipColumns}, shopper_id FROM slips WHERE code = ?${forUpdate(tx.dialect)}`,
      [code],
    );
    // Another shopper's slip is answered as no slip at all: whether a code exists is not theirs to learn.
    if (row === undefined || row.shopper_id !== shopperId) throw new CodedError('CODE_UNKNOWN');
    const slip = toSlip(row, nowMs);
    if (slip.status === 'cancelled') return slip;
    const refusal = slipRefusal(row, nowMs);
    if (refusal !== undefined) throw new CodedError(refusal);
    const authorized = await tx.get<{ expires_at_ms: number }>(
      `SELECT MAX(expires_at_ms) AS expires_at_ms FROM till_authorizations
        WHERE code = ? AND status = 'authorized' AND expires_at_ms > ?`,
      [code, nowMs],
    );
    if (authorized?.expires_at_ms !== null && authorized?.expires_at_ms !== undefined)
      throw new CodedError('CONFLICT', {
        reason: 'slipAuthorized',
        untilMs: Number(authorized.expires_at_ms),
      });
    const cancelled = await tx.run(
      'UPDATE slips SET cancelled_at_ms = ? WHERE code = ? AND used_transfer_id IS NULL AND cancelled_at_ms IS NULL',
      [nowMs, code],
    );
    if (cancelled !== 1) throw new Error('a locked open payment slip changed under its lock');
    await appendAudit(
      tx,
      {
        kind: 'slip.cancelled',
        subject: shopperId,
        data: { code: maskCode(code), amountMinor: slip.amountMinor, currency: slip.currency },
      },
      nowMs,
    );
    return { ...slip, status: 'cancelled' };
  });
}
