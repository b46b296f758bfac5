import { sha256Hex } from '../secrets/hash.js';
import type { Tx } from '../storage/db.js';

/**
 * A key a terminal enrolled, as `terminal_keys` keeps it: every key stays, for verifying the receipts it
 * signed and for telling a revoked key's requests apart from forgeries.
 */
export interface StoredTerminalKey {
  readonly publicKey: string;
  readonly enrolledAtMs: number;
  /** When a newer key's enrollment (or its revocation) retired it; null for the current key. */
  readonly retiredAtMs: number | null;
  /** When ops revoked it as lost or stolen; null unless they did. A revoked key signs nothing, ever. */
  readonly revokedAtMs: number | null;
  readonly revokedBy: string | null;
}

interface KeyRow extends Record<string, unknown> {
  public_key: string;
  enrolled_at_ms: number;
  retired_at_ms: number | null;
  revoked_at_ms: number | null;
  revoked_by: string | null;
}

const keyColumns = 'public_key, enrolled_at_ms, retired_at_ms, revoked_at_ms, revoked_by';

function keyFromRow(row: KeyRow): StoredTerminalKey {
  return {
    publicKey: row.public_key,
    enrolledAtMs: row.enrolled_at_ms,
    retiredAtMs: row.retired_at_ms,
    revokedAtMs: row.revoked_at_ms,
    revokedBy: row.revoked_by,
  };
}

/** What the audit log and the ops console say of a key: enough to tell keys apart, nothing to sign with. */
export function publicKeyFingerprint(publicKey: string): string {
  return sha256Hex(`terminal-key:${publicKey}`).slice(0, 16);
}

/**
 * Newest first: the current key, then the others by when they were retired (two enrollments within one
 * millisecond still come out in the order they happened).
 */
const newestFirst =
  'ORDER BY CASE WHEN retired_at_ms IS NULL THEN 0 ELSE 1 END, retired_at_ms DESC, enrolled_at_ms DESC';

/**
 * Every key the terminal has enrolled, newest first: receipts signed before a rotation still verify with
 * the retired key (redeem-receipt.ts bounds for how long).
 */
export async function terminalKeys(tx: Tx, terminalId: string): Promise<StoredTerminalKey[]> {
  const rows = await tx.all<KeyRow>(
    `SELECT ${keyColumns} FROM terminal_keys WHERE terminal_id = ? ${newestFirst}`,
    [terminalId],
  );
  return rows.map(keyFromRow);
}

/** One key of the terminal, by its public key (the primary key's two columns). */
export async function findTerminalKey(
  tx: Tx,
  terminalId: string,
  publicKey: string,
): Promise<StoredTerminalKey | undefined> {
  const row = await tx.get<KeyRow>(
    `SELECT ${keyColumns} FROM terminal_keys WHERE terminal_id = ? AND public_key = ?`,
    [terminalId, publicKey],
  );
  return row === undefined ? undefined : keyFromRow(row);
}

/**
 * The keys other than the current one whose signature still means something: those ops revoked (their
 * requests are answered TERMINAL_KEY_REVOKED, not as forgeries), and those retired since `retiredSinceMs`
 * (a replaced device handing over its deposits). Few rows: a terminal has had few devices.
 */
export async function keysBesideCurrent(
  tx: Tx,
  terminalId: string,
  retiredSinceMs: number,
): Promise<StoredTerminalKey[]> {
  const rows = await tx.all<KeyRow>(
    `SELECT ${keyColumns} FROM terminal_keys
     WHERE terminal_id = ? AND (revoked_at_ms IS NOT NULL OR retired_at_ms >= ?)
     ${newestFirst}`,
    [terminalId, retiredSinceMs],
  );
  return rows.map(keyFromRow);
}
