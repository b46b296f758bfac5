import type { Deps } from '../deps.js';
import type { Tx } from '../storage/db.js';
import { raiseOrUpdateAlert, resolveAlert } from '../alerts/alerts.js';
import type { TerminalRecord } from '../terminals/terminal-record.js';

/**
 * Counts newly recorded deposits of a terminal and checks its sequence for a gap. Sequence numbers start
 * at 1 and are never reused, so with `count` distinct numbers recorded and `high` the largest, the
 * terminal is complete exactly when count = high; fewer means a deposit the server has never seen (lost
 * or still queued behind a quarantined one). The alert closes by itself when the gap fills. The caller
 * holds the terminal row lock, so the counters move by one writer at a time.
 */
export async function recordSequences(
  tx: Tx,
  deps: Pick<Deps, 'newId'>,
  terminal: TerminalRecord,
  added: { count: number; highest: number },
  nowMs: number,
): Promise<void> {
  if (added.count === 0) return;
  const row = await tx.get<{ sequence_high: number; sequence_count: number }>(
    `UPDATE terminals SET
       sequence_high = CASE WHEN sequence_high > ? THEN sequence_high ELSE ? END,
       sequence_count = sequence_count + ?
     WHERE id = ? RETURNING sequence_high, sequence_count`,
    [added.highest, added.highest, added.count, terminal.id],
  );
  if (row === undefined) throw new Error('a locked terminal vanished');
  const missing = row.sequence_high - row.sequence_count;
  if (missing > 0) {
    await raiseOrUpdateAlert(
      tx,
      deps,
      {
        terminalId: terminal.id,
        storeId: terminal.storeId,
        facts: { kind: 'sequenceGap', missing, below: row.sequence_high },
      },
      nowMs,
    );
  } else {
    await resolveAlert(tx, terminal.id, 'sequenceGap', nowMs);
  }
}
