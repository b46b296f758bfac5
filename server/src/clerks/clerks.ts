import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { newBearerToken, sha256Hex } from '../secrets/hash.js';
import { afterWrongSecret, clearSignInAttempts, countSignInAttempt } from '../secrets/sign-in-attempts.js';
import { matchesSlowHash, slowHash } from '../secrets/slow-hash.js';
import { nextShortId } from '../stores/short-ids.js';
import type { StoreRecord } from '../stores/stores.js';
import { findStore, requireStore } from '../stores/stores.js';

/** Clerk session tokens carry this prefix so the role hook knows which table to look in. */
export const clerkTokenPrefix = 'clk_';

export interface Clerk {
  readonly id: string;
  readonly storeId: string;
  readonly name: string;
  readonly lockedUntilMs: number | null;
}

interface ClerkRow extends Record<string, unknown> {
  id: string;
  store_id: string;
  name: string;
  locked_until_ms: number | null;
}

function clerkFromRow(row: ClerkRow, nowMs: number): Clerk {
  return {
    id: row.id,
    storeId: row.store_id,
    name: row.name,
    lockedUntilMs: row.locked_until_ms !== null && row.locked_until_ms > nowMs ? row.locked_until_ms : null,
  };
}

/** A clerk of a store, audited on the store's chain (the PIN is stored only as its slow hash). */
export async function createClerk(
  deps: Deps,
  storeId: string,
  input: { name: string; pin: string },
  by: string,
): Promise<Clerk> {
  const pinHash = await slowHash(input.pin);
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    await requireStore(tx, storeId);
    const id = await nextShortId(tx, 'clerk');
    await tx.run('INSERT INTO clerks (id, store_id, name, pin_hash, created_at_ms) VALUES (?, ?, ?, ?, ?)', [
      id,
      storeId,
      input.name,
      pinHash,
      nowMs,
    ]);
    await appendAudit(
      tx,
      { kind: 'clerk.created', subject: storeId, data: { clerkId: id, name: input.name, by } },
      nowMs,
    );
    return { id, storeId, name: input.name, lockedUntilMs: null };
  });
}

export async function listClerks(deps: Deps, storeId: string): Promise<Clerk[]> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    await requireStore(tx, storeId);
    const rows = await tx.all<ClerkRow>(
      'SELECT id, store_id, name, locked_until_ms FROM clerks WHERE store_id = ? ORDER BY id',
      [storeId],
    );
    return rows.map((row) => clerkFromRow(row, nowMs));
  });
}

export interface ClerkSession {
  readonly token: string;
  readonly expiresAtMs: number;
  readonly clerk: { id: string; name: string };
  readonly store: StoreRecord;
}

/**
 * Signs a clerk in. An attempt is counted before the PIN is checked, in a conditional UPDATE that locks
 * the clerk for pinLockoutMs when the count reaches pinAttemptsMax and refuses every attempt while locked
 * (sign-in-attempts.ts), so of guesses sent in parallel, to any number of server processes, at most
 * pinAttemptsMax are ever checked. The right PIN clears the count.
 * A wrong store or clerk id answers PIN_INVALID too, so the answer tells a guesser nothing.
 */
export async function signInClerk(
  deps: Deps,
  input: { storeId: string; clerkId: string; pin: string },
): Promise<ClerkSession> {
  const { pinAttemptsMax, pinLockoutMs, clerkSessionTtlMs } = deps.limits.system;
  const nowMs = deps.clock.nowMs();
  const attempt = await deps.db.transaction(async (tx) => {
    const row = await tx.get<{
      pin_hash: string;
      locked_until_ms: number | null;
      name: string;
      disabled_at_ms: number | null;
    }>('SELECT pin_hash, locked_until_ms, name, disabled_at_ms FROM clerks WHERE id = ? AND store_id = ?', [
      input.clerkId,
      input.storeId,
    ]);
    if (row === undefined) return { outcome: 'invalid' } as const;
    const counted = await countSignInAttempt(tx, 'clerks', input.clerkId, {
      attemptsMax: pinAttemptsMax,
      lockoutMs: pinLockoutMs,
      nowMs,
    });
    if (counted.outcome === 'locked') return { outcome: 'locked' } as const;
    return {
      outcome: 'check',
      pinHash: row.pin_hash,
      name: row.name,
      disabled: row.disabled_at_ms !== null,
      counted,
    } as const;
  });
  if (attempt.outcome === 'invalid') throw new CodedError('PIN_INVALID');
  if (attempt.outcome === 'locked') throw new CodedError('PIN_LOCKED');
  const right = await matchesSlowHash(input.pin, attempt.pinHash);
  if (!right) {
    const { locked, attemptsLeft } = afterWrongSecret(attempt.counted);
    throw new CodedError(locked ? 'PIN_LOCKED' : 'PIN_INVALID', { attemptsLeft });
  }
  // Said only after the right PIN, so it tells a guesser nothing.
  if (attempt.disabled) throw new CodedError('CLERK_DISABLED');
  const token = `${clerkTokenPrefix}${newBearerToken()}`;
  const expiresAtMs = nowMs + clerkSessionTtlMs;
  const store = await deps.db.transaction(async (tx) => {
    await clearSignInAttempts(tx, 'clerks', input.clerkId);
    // A session opened while another of this clerk's is live (a second tab, a browser reopened after a
    // crash) carries on that shift; a sign-in after signing out, or after every session ran out, starts one.
    const live = await tx.get<{ shift_started_at_ms: number | null }>(
      'SELECT MIN(shift_started_at_ms) AS shift_started_at_ms FROM clerk_sessions WHERE clerk_id = ? AND expires_at_ms > ?',
      [input.clerkId, nowMs],
    );
    const shiftStartedAtMs = live?.shift_started_at_ms ?? nowMs;
    await tx.run(
      `INSERT INTO clerk_sessions (token_hash, clerk_id, store_id, expires_at_ms, created_at_ms, shift_started_at_ms)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [sha256Hex(token), input.clerkId, input.storeId, expiresAtMs, nowMs, Number(shiftStartedAtMs)],
    );
    return findStore(tx, input.storeId);
  });
  if (store === undefined) throw new Error('a clerk belongs to a store that does not exist');
  return { token, expiresAtMs, clerk: { id: input.clerkId, name: attempt.name }, store };
}

export interface ClerkPrincipal {
  readonly clerkId: string;
  readonly storeId: string;
  /** When this clerk's shift began (see signInClerk): what the shift summary counts from. */
  readonly shiftStartedAtMs: number;
}

/**
 * The clerk behind a session token; an unknown token is UNAUTHENTICATED, an old one SESSION_EXPIRED, a
 * disabled clerk's CLERK_DISABLED (disabling also deletes the sessions; this holds if one is opened in
 * a race with it).
 */
export async function authenticateClerk(deps: Deps, token: string): Promise<ClerkPrincipal> {
  const row = await deps.db.transaction((tx) =>
    tx.get<{
      clerk_id: string;
      store_id: string;
      expires_at_ms: number;
      shift_started_at_ms: number;
      disabled_at_ms: number | null;
    }>(
      `SELECT s.clerk_id, s.store_id, s.expires_at_ms, COALESCE(s.shift_started_at_ms, s.created_at_ms) AS shift_started_at_ms,
         c.disabled_at_ms
       FROM clerk_sessions s JOIN clerks c ON c.id = s.clerk_id WHERE s.token_hash = ?`,
      [sha256Hex(token)],
    ),
  );
  if (row === undefined) throw new CodedError('UNAUTHENTICATED');
  if (row.disabled_at_ms !== null) throw new CodedError('CLERK_DISABLED');
  if (row.expires_at_ms <= deps.clock.nowMs()) throw new CodedError('SESSION_EXPIRED');
  return { clerkId: row.clerk_id, storeId: row.store_id, shiftStartedAtMs: Number(row.shift_started_at_ms) };
}

/** Ends the session behind `token` (the clerk signed out); an unknown token has nothing to end. */
export async function endClerkSession(deps: Deps, token: string): Promise<void> {
  await deps.db.transaction((tx) =>
    tx.run('DELETE FROM clerk_sessions WHERE token_hash = ?', [sha256Hex(token)]),
  );
}
