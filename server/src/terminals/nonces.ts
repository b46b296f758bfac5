import { CodedError } from '@cashin/shared';
import type { Db, Tx } from '../storage/db.js';

/**
 * Records a request nonce; a nonce the terminal already used within the retention window is a replay.
 * Stored in the database so every server process sees every nonce. Inside a sync batch this runs in the
 * batch's own transaction, so a refused batch does not burn its nonce and an accepted one pays no extra
 * commit.
 */
export async function consumeNonce(tx: Tx, terminalId: string, nonce: string, nowMs: number): Promise<void> {
  const inserted = await tx.run(
    'INSERT INTO terminal_nonces (terminal_id, nonce, seen_at_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    [terminalId, nonce, nowMs],
  );
  if (inserted === 0) throw new CodedError('NONCE_REPLAYED');
}

/**
 * Forgets nonces older than the retention window. Safe because a request older than the signature skew is
 * refused as stale before its nonce is looked at, and retention is at least twice the skew (limits.ts).
 */
export async function pruneNonces(db: Db, nowMs: number, nonceRetentionMs: number): Promise<number> {
  return db.transaction((tx) =>
    tx.run('DELETE FROM terminal_nonces WHERE seen_at_ms < ?', [nowMs - nonceRetentionMs]),
  );
}
