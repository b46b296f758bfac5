import type { Code, CurrencyCode } from '@cashin/shared';
import { CodedError, generateCode, maskCode, moneyLimitsFor } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { findShopper } from '../shoppers/shoppers.js';
import { forUpdate } from '../storage/db.js';
import { codeIssueAttemptsMax } from './deposit-codes.js';

export type SlipStatus = 'open' | 'used' | 'expired';

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
      'SELECT COUNT(*) AS n FROM slips WHERE shopper_id = ? AND used_transfer_id IS NULL AND expires_at_ms > ?',
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

export async function listSlips(deps: Deps, shopperId: string): Promise<Slip[]> {
  const nowMs = deps.clock.nowMs();
  const rows = await deps.db.transaction((tx) =>
    tx.all<{
      code: Code;
      amount_minor: number;
      currency: CurrencyCode;
      expires_at_ms: number;
      used_transfer_id: string | null;
      created_at_ms: number;
    }>(
      `SELECT code, amount_minor, currency, expires_at_ms, used_transfer_id, created_at_ms FROM slips
       WHERE shopper_id = ? ORDER BY created_at_ms DESC, code DESC LIMIT ?`,
      [shopperId, slipsListedMax],
    ),
  );
  return rows.map((row) => ({
    code: row.code,
    amountMinor: row.amount_minor,
    currency: row.currency,
    expiresAtMs: row.expires_at_ms,
    status: row.used_transfer_id !== null ? 'used' : row.expires_at_ms <= nowMs ? 'expired' : 'open',
    createdAtMs: row.created_at_ms,
  }));
}
