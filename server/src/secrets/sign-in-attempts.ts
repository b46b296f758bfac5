import type { Tx } from '../storage/db.js';

/**
 * Wrong-secret lockout for the people who type a secret (clerk PINs, ops staff passwords), counted in the
 * person's own row so every server process meets the same count. An attempt is counted, and the row
 * locked when the count reaches the maximum, in one conditional UPDATE before the secret is checked: the
 * attempt that reaches the maximum is still checked, every later one is refused by that same UPDATE
 * without a hash being computed. Locking only after a wrong secret finished hashing would let guesses sent
 * in parallel all be counted, and all checked, before any of them locked the row.
 */
export type LockableTable = 'clerks' | 'ops_staff';

export interface SignInAttemptLimits {
  readonly attemptsMax: number;
  readonly lockoutMs: number;
  readonly nowMs: number;
}

/** A counted attempt may check the secret; a refused one must not. */
export type SignInAttempt =
  | { readonly outcome: 'counted'; readonly attempts: number; readonly attemptsLeft: number }
  | { readonly outcome: 'locked' };

/**
 * Counts one attempt for the row `id` of `table`. An expired lockout starts the count again at 1; the
 * attempt that brings the count to `attemptsMax` locks the row until nowMs + lockoutMs in the same
 * UPDATE, so a right secret must clear the lock (clearSignInAttempts). While the row is locked the UPDATE
 * matches nothing and the attempt is refused.
 */
export async function countSignInAttempt(
  tx: Tx,
  table: LockableTable,
  id: string,
  limits: SignInAttemptLimits,
): Promise<SignInAttempt> {
  const { attemptsMax, lockoutMs, nowMs } = limits;
  // The WHERE leaves only rows that are unlocked or whose lock has run out; SET reads the old values.
  // The casts give PostgreSQL the parameters' types, which a CASE of parameters and NULL leaves open.
  const attemptsNext = 'CASE WHEN locked_until_ms IS NULL THEN failed_attempts + 1 ELSE 1 END';
  const counted = await tx.get<{ failed_attempts: number }>(
    `UPDATE ${table} SET failed_attempts = ${attemptsNext},
       locked_until_ms = CASE WHEN ${attemptsNext} >= CAST(? AS INTEGER) THEN CAST(? AS BIGINT) ELSE NULL END
     WHERE id = ? AND (locked_until_ms IS NULL OR locked_until_ms <= ?)
     RETURNING failed_attempts`,
    [attemptsMax, nowMs + lockoutMs, id, nowMs],
  );
  if (counted === undefined) return { outcome: 'locked' };
  const attempts = Number(counted.failed_attempts);
  return { outcome: 'counted', attempts, attemptsLeft: Math.max(0, attemptsMax - attempts) };
}

/**
 * After a wrong secret: whether the row is now locked (the count reached the maximum, and the counting
 * UPDATE already locked it) and how many attempts are left, for the error's details.
 */
export function afterWrongSecret(attempt: { attemptsLeft: number }): {
  locked: boolean;
  attemptsLeft: number;
} {
  return { locked: attempt.attemptsLeft === 0, attemptsLeft: attempt.attemptsLeft };
}

/** A right secret clears the count and any lock its own attempt set. */
export async function clearSignInAttempts(tx: Tx, table: LockableTable, id: string): Promise<void> {
  await tx.run(`UPDATE ${table} SET failed_attempts = 0, locked_until_ms = NULL WHERE id = ?`, [id]);
}
