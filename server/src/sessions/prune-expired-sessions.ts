import type { Db } from '../storage/db.js';

/**
 * Deletes shopper, clerk and ops staff sessions that expired more than `keptMs` ago. Until then an expired token
 * still finds its row and answers SESSION_EXPIRED, so an app left open says "sign in again"; after that
 * the row is only weight in a table every sign-in adds to. Idempotent, so every server process may run it.
 */
export async function pruneExpiredSessions(
  db: Db,
  nowMs: number,
  keptMs: number,
): Promise<{ shopperSessions: number; clerkSessions: number; staffSessions: number }> {
  const beforeMs = nowMs - keptMs;
  return db.transaction(async (tx) => ({
    shopperSessions: await tx.run('DELETE FROM shopper_sessions WHERE expires_at_ms < ?', [beforeMs]),
    clerkSessions: await tx.run('DELETE FROM clerk_sessions WHERE expires_at_ms < ?', [beforeMs]),
    staffSessions: await tx.run('DELETE FROM ops_sessions WHERE expires_at_ms < ?', [beforeMs]),
  }));
}
