import { openJournalDatabase } from './database.js';

/**
 * Keeps, in the journal at `journalPath`, the highest deposit sequence number the server held for this
 * terminal when the kiosk enrolled (migration 4), so every number the journal takes afterwards comes after
 * it. Written at enrollment, before the agent opens the journal and commits anything, in its own
 * transaction and with synchronous=FULL, so it is on disk before the enrollment counts as done. It only
 * grows: a lower value (an answer read before a later one) changes nothing.
 */
export function recordServerSequenceHigh(journalPath: string, sequenceHigh: number): void {
  // The enrollment answer was parsed against its schema: anything else is a programmer error.
  if (!Number.isSafeInteger(sequenceHigh) || sequenceHigh < 0)
    throw new Error(`journal: a server sequence high must be a non-negative integer, not ${sequenceHigh}`);
  const db = openJournalDatabase(journalPath);
  try {
    const changed = db
      .prepare<[number], unknown>(
        `UPDATE counters SET value = MAX(value, ?) WHERE name = 'serverSequenceHigh'`,
      )
      .run(sequenceHigh).changes;
    if (changed !== 1) throw new Error('journal: the serverSequenceHigh counter is missing');
  } finally {
    db.close();
  }
}
