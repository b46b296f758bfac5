import type { Deps } from '../deps.js';
import { pruneExpiredSessions } from '../sessions/prune-expired-sessions.js';
import { pruneGuardCounters } from '../sessions/prune-guard-counters.js';
import { pruneNonces } from '../terminals/nonces.js';
import { raiseAlert } from './alerts.js';

/** How often each server process runs the sweep; a fraction of the silence threshold so alerts are prompt. */
export const terminalSweepIntervalMs = 30_000;

/**
 * Raises terminalSilent for every enrolled, enabled terminal whose last heartbeat (or enrollment, for one
 * that never beat) is older than terminalSilentAlertMs, and prunes old nonces, long-expired sessions and
 * guard counters whose windows ended.
 * Every server process runs it; that is safe because raising is an INSERT that the open-alert unique index
 * lets only one win, and pruning is idempotent. The next heartbeat resolves the alert (heartbeat.ts).
 */
export async function sweepTerminals(
  deps: Deps,
): Promise<{ raised: number; noncesPruned: number; sessionsPruned: number; countersPruned: number }> {
  const nowMs = deps.clock.nowMs();
  const { terminalSilentAlertMs, nonceRetentionMs, expiredSessionsKeptMs } = deps.limits.system;
  const raised = await deps.db.transaction(async (tx) => {
    const silent = await tx.all<{ id: string; store_id: string; last_ms: number }>(
      `SELECT id, store_id, COALESCE(last_heartbeat_at_ms, enrolled_at_ms) AS last_ms FROM terminals
       WHERE public_key IS NOT NULL AND enabled = 1 AND COALESCE(last_heartbeat_at_ms, enrolled_at_ms) <= ?`,
      [nowMs - terminalSilentAlertMs],
    );
    let count = 0;
    for (const terminal of silent) {
      const silentMinutes = Math.floor((nowMs - terminal.last_ms) / 60_000);
      const facts = { kind: 'terminalSilent', silentMinutes } as const;
      if (await raiseAlert(tx, deps, { terminalId: terminal.id, storeId: terminal.store_id, facts }, nowMs))
        count += 1;
    }
    return count;
  });
  const noncesPruned = await pruneNonces(deps.db, nowMs, nonceRetentionMs);
  const sessions = await pruneExpiredSessions(deps.db, nowMs, expiredSessionsKeptMs);
  const counters = await pruneGuardCounters(deps, nowMs);
  return {
    raised,
    noncesPruned,
    sessionsPruned: sessions.shopperSessions + sessions.clerkSessions,
    countersPruned:
      counters.codeLookupWindows +
      counters.otpClientWindows +
      counters.otpClientGuesses +
      counters.pendingSignUps,
  };
}
