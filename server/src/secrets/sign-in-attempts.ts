import type { Db, Tx } from '../storage/db.js';

/**
 * Wrong-secret lockout for the people who type a secret (clerk PINs, ops staff passwords), counted in the
 * person's own row so every server process meets the same count. An attempt is counted before the secret
 * is checked, so guesses sent in parallel each use one up.
 */
export type LockableTable = 'clerks' | 'ops_staff';

/**
 * Counts one attempt for the row `id` of `table`: the number of attempts so far (an expired lockout
 * starts the count again), or undefined while the row is locked.
 */
export async function countSignInAttempt(
  tx: Tx,
  table: LockableTable,
  id: string,
  nowMs: number,
): Promise<number | undefined> {
  const counted = await tx.get<{ failed_attempts: number }>(
    `UPDATE ${table} SET failed_attempts = CASE WHEN locked_until_ms IS NOT NULL AND locked_until_ms <= ? THEN 1 ELSE failed_attempts + 1 END,
       locked_until_ms = CASE WHEN locked_until_ms IS NOT NULL AND locked_until_ms <= ? THEN NULL ELSE locked_until_ms END
     WHERE id = ? AND (locked_until_ms IS NULL OR locked_until_ms <= ?)
     RETURNING failed_attempts`,
    [nowMs, nowMs, id, nowMs],
  );
  return counted?.failed_attempts;
}

/**
 * After a wrong secret: locks the row for `lockoutMs` once `attempts` reached `attemptsMax`. Answers
 * whether it is now locked and how many attempts are left, for the error's details.
 */
export async function afterWrongSecret(
  db: Db,
  table: LockableTable,
  id: string,
  attempt: { attempts: number; attemptsMax: number; lockoutMs: number; nowMs: number },
): Promise<{ locked: boolean; attemptsLeft: number }> {
  const locked = attempt.attempts >= attempt.attemptsMax;
  if (locked) {
    await db.transaction((tx) =>
      tx.run(`UPDATE ${table} SET locked_until_ms = ?, failed_attempts = 0 WHERE id = ?`, [
        attempt.nowMs + attempt.lockoutMs,
        id,
      ]),
    );
  }
  return { locked, attemptsLeft: Math.max(0, attempt.attemptsMax - attempt.attempts) };
}
