import type { Code } from '@cashin/shared';
import { CodedError, generateCode, maskCode } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';

/** Fresh codes tried before giving up; a collision at 43 random bits is already vanishingly rare. */
export const codeIssueAttemptsMax = 5;

/** Inserts a new active deposit code for the shopper (the caller has revoked any previous one). */
export async function issueDepositCode(tx: Tx, deps: Deps, shopperId: string, nowMs: number): Promise<Code> {
  for (let attempt = 0; attempt < codeIssueAttemptsMax; attempt += 1) {
    const code = generateCode('deposit');
    const inserted = await tx.run(
      // Only a code already taken is tried again: a second active code for the shopper is a bug to report.
      `INSERT INTO deposit_codes (code, shopper_id, status, created_at_ms) VALUES (?, ?, 'active', ?)
       ON CONFLICT (code) DO NOTHING`,
      [code, shopperId, nowMs],
    );
    if (inserted === 1) {
      await appendAudit(
        tx,
        { kind: 'code.issued', subject: shopperId, data: { code: maskCode(code) } },
        nowMs,
      );
      return code;
    }
  }
  throw new Error('could not find an unused deposit code');
}

export async function activeDepositCode(tx: Tx, shopperId: string): Promise<Code> {
  const row = await tx.get<{ code: Code }>(
    "SELECT code FROM deposit_codes WHERE shopper_id = ? AND status = 'active'",
    [shopperId],
  );
  if (row === undefined) throw new Error(`shopper ${shopperId} has no active deposit code`);
  return row.code;
}

/**
 * Revokes the shopper's code and issues a new one. The old code starts no new deposit (lookupCode), but
 * keeps crediting for codeRotationGraceMs, so a deposit already being counted at a kiosk when the shopper
 * rotated still lands in the wallet.
 */
export async function rotateDepositCode(deps: Deps, shopperId: string): Promise<Code> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    // Rotations of one shopper run one after the other (PostgreSQL): each revokes the code the one before
    // it issued. Without the lock, two read the same active code and the second cannot issue its own.
    const shopper = await tx.get(`SELECT id FROM shoppers WHERE id = ?${forUpdate(tx.dialect)}`, [shopperId]);
    if (shopper === undefined) throw new CodedError('NOT_FOUND');
    const old = await activeDepositCode(tx, shopperId);
    await tx.run("UPDATE deposit_codes SET status = 'revoked', revoked_at_ms = ? WHERE code = ?", [
      nowMs,
      old,
    ]);
    const code = await issueDepositCode(tx, deps, shopperId, nowMs);
    await appendAudit(
      tx,
      { kind: 'code.rotated', subject: shopperId, data: { revoked: maskCode(old), issued: maskCode(code) } },
      nowMs,
    );
    return code;
  });
}

export interface ResolvedDepositCode {
  readonly state: 'active' | 'inGrace' | 'revoked';
  readonly shopperId: string;
}

/**
 * Who a deposit code belongs to and whether it could take money at `nowMs` (now, or when a kiosk took it
 * with the cash: a code revoked after that moment was still the shopper's then); undefined when unknown.
 */
export async function resolveDepositCode(
  tx: Tx,
  code: Code,
  nowMs: number,
  rotationGraceMs: number,
): Promise<ResolvedDepositCode | undefined> {
  const row = await tx.get<{
    shopper_id: string;
    status: 'active' | 'revoked';
    revoked_at_ms: number | null;
  }>('SELECT shopper_id, status, revoked_at_ms FROM deposit_codes WHERE code = ?', [code]);
  if (row === undefined) return undefined;
  if (row.status === 'active') return { state: 'active', shopperId: row.shopper_id };
  const inGrace = row.revoked_at_ms !== null && nowMs - row.revoked_at_ms < rotationGraceMs;
  return { state: inGrace ? 'inGrace' : 'revoked', shopperId: row.shopper_id };
}

export function codeStateError(state: 'revoked' | 'unknown'): CodedError {
  return new CodedError(state === 'revoked' ? 'CODE_REVOKED' : 'CODE_UNKNOWN');
}
