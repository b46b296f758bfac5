import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { newBearerToken, sha256Hex } from '../secrets/hash.js';
import { afterWrongSecret, clearSignInAttempts, countSignInAttempt } from '../secrets/sign-in-attempts.js';
import { matchesSlowHash, slowHash } from '../secrets/slow-hash.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
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
  readonly disabledAtMs: number | null;
}

interface ClerkRow extends Record<string, unknown> {
  id: string;
  store_id: string;
  name: string;
  locked_until_ms: number | null;
  disabled_at_ms: number | null;
}

const clerkColumns = 'id, store_id, name, locked_until_ms, disabled_at_ms';

function clerkFromRow(row: ClerkRow, nowMs: number): Clerk {
  return {
    id: row.id,
    storeId: row.store_id,
    name: row.name,
    lockedUntilMs: row.locked_until_ms !== null && row.locked_until_ms > nowMs ? row.locked_until_ms : null,
    disabledAtMs: row.disabled_at_ms === null ? null : Number(row.disabled_at_ms),
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
    // Counted holding the store row, so two clerks added at once cannot both take the last place.
    await requireStore(tx, storeId, forUpdate(tx.dialect));
    const clerksMax = deps.limits.system.clerksPerStoreMax;
    const held = await tx.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM clerks WHERE store_id = ?', [
      storeId,
    ]);
    if (Number(held?.n ?? 0) >= clerksMax) throw new CodedError('CLERKS_PER_STORE_MAX', { clerksMax });
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
    return { id, storeId, name: input.name, lockedUntilMs: null, disabledAtMs: null };
  });
}

/** Every clerk of the store: at most clerksPerStoreMax (createClerk refuses past it). */
export async function listClerks(deps: Deps, storeId: string): Promise<Clerk[]> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    await requireStore(tx, storeId);
    const rows = await tx.all<ClerkRow>(`SELECT ${clerkColumns} FROM clerks WHERE store_id = ? ORDER BY id`, [
      storeId,
    ]);
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
  // How long a lock lasts at most (it never grows while locked), for the till to tell the clerk.
  const lockMinutes = Math.ceil(pinLockoutMs / 60_000);
  if (attempt.outcome === 'locked') throw new CodedError('PIN_LOCKED', { lockMinutes });
  const right = await matchesSlowHash(input.pin, attempt.pinHash);
  if (!right) {
    const { locked, attemptsLeft } = afterWrongSecret(attempt.counted);
    throw new CodedError(locked ? 'PIN_LOCKED' : 'PIN_INVALID', { attemptsLeft, lockMinutes });
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

/** The clerk `clerkId` of `storeId`, under its row lock on PostgreSQL; NOT_FOUND for any other. */
async function requireClerk(tx: Tx, storeId: string, clerkId: string, nowMs: number): Promise<Clerk> {
  const row = await tx.get<ClerkRow>(
    `SELECT ${clerkColumns} FROM clerks WHERE id = ? AND store_id = ?${forUpdate(tx.dialect)}`,
    [clerkId, storeId],
  );
  if (row === undefined) throw new CodedError('NOT_FOUND');
  return clerkFromRow(row, nowMs);
}

/**
 * Ops disable or enable a clerk (one who left, or whose PIN got out). Disabling deletes every session of
 * theirs in the same transaction, so a till they are signed in at stops at its next call; sign-in and any
 * session opened in a race are refused while disabled (signInClerk, authenticateClerk).
 */
export async function setClerkEnabled(
  deps: Deps,
  storeId: string,
  clerkId: string,
  enabled: boolean,
  by: string,
): Promise<Clerk> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const before = await requireClerk(tx, storeId, clerkId, nowMs);
    if ((before.disabledAtMs === null) === enabled) return before;
    await tx.run('UPDATE clerks SET disabled_at_ms = ? WHERE id = ?', [enabled ? null : nowMs, clerkId]);
    if (!enabled) await tx.run('DELETE FROM clerk_sessions WHERE clerk_id = ?', [clerkId]);
    await appendAudit(
      tx,
      { kind: enabled ? 'clerk.enabled' : 'clerk.disabled', subject: storeId, data: { clerkId, by } },
      nowMs,
    );
    return { ...before, disabledAtMs: enabled ? null : nowMs };
  });
}

/**
 * Ops give a clerk a new PIN: every session of theirs ends (whoever knew the old PIN is signed out) and
 * any wrong-PIN lockout is cleared, so the clerk signs in with the new PIN at once.
 */
export async function resetClerkPin(
  deps: Deps,
  storeId: string,
  clerkId: string,
  pin: string,
  by: string,
): Promise<Clerk> {
  const pinHash = await slowHash(pin);
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const before = await requireClerk(tx, storeId, clerkId, nowMs);
    await tx.run('UPDATE clerks SET pin_hash = ? WHERE id = ?', [pinHash, clerkId]);
    await clearSignInAttempts(tx, 'clerks', clerkId);
    await tx.run('DELETE FROM clerk_sessions WHERE clerk_id = ?', [clerkId]);
    await appendAudit(tx, { kind: 'clerk.pinReset', subject: storeId, data: { clerkId, by } }, nowMs);
    return { ...before, lockedUntilMs: null };
  });
}
