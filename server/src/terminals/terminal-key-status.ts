import type { Limits, OpsTerminalKey, TerminalKeyList } from '@cashin/shared';
import { CodedError, moneyLimitsFor } from '@cashin/shared';
import type { Tx } from '../storage/db.js';
import type { StoredTerminalKey } from './key-records.js';
import { publicKeyFingerprint, terminalKeys } from './key-records.js';
import { findTerminal } from './terminal-record.js';

/**
 * A key as ops see it, derived now, never stored: revoked by ops; current; retired by a newer enrollment
 * and still handing over (it may sign sync batches for `handOverWindowMs` after its retirement, the kiosk
 * offline window, exactly as request-verification.ts lets it); or retired for good.
 */
export function opsTerminalKey(
  key: StoredTerminalKey,
  handOverWindowMs: number,
  nowMs: number,
): OpsTerminalKey {
  const handOverUntilMs =
    key.revokedAtMs === null && key.retiredAtMs !== null && nowMs - key.retiredAtMs <= handOverWindowMs
      ? key.retiredAtMs + handOverWindowMs
      : null;
  return {
    fingerprint: publicKeyFingerprint(key.publicKey),
    status:
      key.revokedAtMs !== null
        ? 'revoked'
        : key.retiredAtMs === null
          ? 'current'
          : handOverUntilMs !== null
            ? 'handingOver'
            : 'retired',
    enrolledAtMs: key.enrolledAtMs,
    retiredAtMs: key.retiredAtMs,
    handOverUntilMs,
    revokedAtMs: key.revokedAtMs,
    revokedBy: key.revokedBy,
  };
}

/** The terminal's keys for the ops console, newest first, and until when a new device may enroll. */
export async function terminalKeyList(
  tx: Tx,
  limits: Limits,
  terminalId: string,
  nowMs: number,
): Promise<TerminalKeyList> {
  const terminal = await findTerminal(tx, terminalId);
  if (terminal === undefined) throw new CodedError('NOT_FOUND');
  const windowMs = moneyLimitsFor(limits, terminal.currency).kioskOfflineOldestUnsyncedMs;
  const keys = await terminalKeys(tx, terminalId);
  // issueToken expires every earlier unused token, so at most one is open.
  const open = await tx.get<{ expires_at_ms: number | null }>(
    `SELECT MAX(expires_at_ms) AS expires_at_ms FROM enrollment_tokens
     WHERE terminal_id = ? AND used_at_ms IS NULL AND expires_at_ms > ?`,
    [terminalId, nowMs],
  );
  return {
    terminalId,
    keys: keys.map((key) => opsTerminalKey(key, windowMs, nowMs)),
    enrollmentOpenUntilMs: open?.expires_at_ms ?? null,
  };
}
