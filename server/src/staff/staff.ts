import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { newBearerToken, sha256Hex } from '../secrets/hash.js';
import { afterWrongSecret, clearSignInAttempts, countSignInAttempt } from '../secrets/sign-in-attempts.js';
import { matchesSlowHash, slowHash } from '../secrets/slow-hash.js';
import type { Tx } from '../storage/db.js';
import { nextShortId } from '../stores/short-ids.js';

/**
 * Named ops staff (migration 060): each person in operations has a username and a password, so the log and
 * the audit trail name who reversed a deposit or disabled a terminal. The service token (OPS_TOKEN)
 * creates the first account and serves automation; it acts as "ops-token".
 */

/** Staff session tokens carry this prefix so the role hook knows which table to look in. */
export const staffTokenPrefix = 'ops_';

export interface Staff {
  readonly id: string;
  readonly username: string;
  readonly name: string;
  readonly lockedUntilMs: number | null;
  readonly disabledAtMs: number | null;
  readonly createdBy: string;
  readonly createdAtMs: number;
}

interface StaffRow extends Record<string, unknown> {
  id: string;
  username: string;
  name: string;
  locked_until_ms: number | null;
  disabled_at_ms: number | null;
  created_by: string;
  created_at_ms: number;
}

const staffColumns = 'id, username, name, locked_until_ms, disabled_at_ms, created_by, created_at_ms';

function staffFromRow(row: StaffRow, nowMs: number): Staff {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    lockedUntilMs: row.locked_until_ms !== null && row.locked_until_ms > nowMs ? row.locked_until_ms : null,
    disabledAtMs: row.disabled_at_ms,
    createdBy: row.created_by,
    createdAtMs: row.created_at_ms,
  };
}

async function findStaff(tx: Tx, staffId: string, nowMs: number): Promise<Staff | undefined> {
  const row = await tx.get<StaffRow>(`SELECT ${staffColumns} FROM ops_staff WHERE id = ?`, [staffId]);
  return row === undefined ? undefined : staffFromRow(row, nowMs);
}

/** A new staff account; a taken username is CONFLICT (usernames are unique, enabled or not). */
export async function createStaff(
  deps: Deps,
  input: { username: string; name: string; password: string },
  createdBy: string,
): Promise<Staff> {
  const passwordHash = await slowHash(input.password);
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const taken = await tx.get('SELECT 1 AS taken FROM ops_staff WHERE username = ?', [input.username]);
    if (taken !== undefined) throw new CodedError('CONFLICT', { reason: 'usernameTaken' });
    const id = await nextShortId(tx, 'opsStaff');
    await tx.run(
      'INSERT INTO ops_staff (id, username, name, password_hash, created_by, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
      [id, input.username, input.name, passwordHash, createdBy, nowMs],
    );
    await appendAudit(
      tx,
      { kind: 'staff.created', subject: id, data: { username: input.username, by: createdBy } },
      nowMs,
    );
    return {
      id,
      username: input.username,
      name: input.name,
      lockedUntilMs: null,
      disabledAtMs: null,
      createdBy,
      createdAtMs: nowMs,
    };
  });
}

export async function listStaff(deps: Deps): Promise<Staff[]> {
  const nowMs = deps.clock.nowMs();
  const rows = await deps.db.transaction((tx) =>
    tx.all<StaffRow>(`SELECT ${staffColumns} FROM ops_staff ORDER BY id`),
  );
  return rows.map((row) => staffFromRow(row, nowMs));
}

/**
 * Disables or enables a staff account. Disabling ends its sessions at once; a person cannot disable
 * themselves (someone else, or the service token, must), so a console is never locked out by a slip.
 */
export async function setStaffEnabled(
  deps: Deps,
  staffId: string,
  enabled: boolean,
  by: string,
): Promise<Staff> {
  if (!enabled && staffId === by) throw new CodedError('CONFLICT', { reason: 'disablingYourself' });
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const before = await findStaff(tx, staffId, nowMs);
    if (before === undefined) throw new CodedError('NOT_FOUND');
    if ((before.disabledAtMs === null) === enabled) return before;
    await tx.run('UPDATE ops_staff SET disabled_at_ms = ?, failed_attempts = 0 WHERE id = ?', [
      enabled ? null : nowMs,
      staffId,
    ]);
    if (!enabled) await tx.run('DELETE FROM ops_sessions WHERE staff_id = ?', [staffId]);
    await appendAudit(
      tx,
      { kind: enabled ? 'staff.enabled' : 'staff.disabled', subject: staffId, data: { by } },
      nowMs,
    );
    return { ...before, disabledAtMs: enabled ? null : nowMs };
  });
}

/** A hash no password matches, checked for unknown usernames so they cost what a known one costs. */
const unknownUserHash = slowHash(newBearerToken());

export interface StaffSession {
  readonly token: string;
  readonly expiresAtMs: number;
  readonly staff: { id: string; username: string; name: string };
}

/**
 * Signs a staff member in, as a clerk signs in: an attempt is counted before the password is checked (a
 * conditional UPDATE that also refuses a locked account), so parallel guesses to any number of server
 * processes each use one up; pinAttemptsMax wrong passwords lock the account for pinLockoutMs. An unknown
 * username answers STAFF_SIGN_IN_INVALID like a wrong password, and a disabled account says so only to
 * someone who knows its password.
 */
export async function signInStaff(
  deps: Deps,
  input: { username: string; password: string },
): Promise<StaffSession> {
  const { pinAttemptsMax, pinLockoutMs, staffSessionTtlMs } = deps.limits.system;
  const nowMs = deps.clock.nowMs();
  const attempt = await deps.db.transaction(async (tx) => {
    const row = await tx.get<{
      id: string;
      name: string;
      password_hash: string;
      disabled_at_ms: number | null;
    }>('SELECT id, name, password_hash, disabled_at_ms FROM ops_staff WHERE username = ?', [input.username]);
    if (row === undefined) return { outcome: 'invalid' } as const;
    const counted = await countSignInAttempt(tx, 'ops_staff', row.id, {
      attemptsMax: pinAttemptsMax,
      lockoutMs: pinLockoutMs,
      nowMs,
    });
    if (counted.outcome === 'locked') return { outcome: 'locked' } as const;
    return { outcome: 'check', row, counted } as const;
  });
  if (attempt.outcome === 'invalid') {
    // As slow as a real check, so the answer's timing does not tell which usernames exist.
    await matchesSlowHash(input.password, await unknownUserHash);
    throw new CodedError('STAFF_SIGN_IN_INVALID');
  }
  if (attempt.outcome === 'locked') throw new CodedError('STAFF_LOCKED');
  const { row } = attempt;
  if (!(await matchesSlowHash(input.password, row.password_hash))) {
    const { locked, attemptsLeft } = afterWrongSecret(attempt.counted);
    throw new CodedError(locked ? 'STAFF_LOCKED' : 'STAFF_SIGN_IN_INVALID', { attemptsLeft });
  }
  if (row.disabled_at_ms !== null) throw new CodedError('STAFF_DISABLED');
  const token = `${staffTokenPrefix}${newBearerToken()}`;
  const expiresAtMs = nowMs + staffSessionTtlMs;
  await deps.db.transaction(async (tx) => {
    await clearSignInAttempts(tx, 'ops_staff', row.id);
    await tx.run(
      'INSERT INTO ops_sessions (token_hash, staff_id, expires_at_ms, created_at_ms) VALUES (?, ?, ?, ?)',
      [sha256Hex(token), row.id, expiresAtMs, nowMs],
    );
  });
  return { token, expiresAtMs, staff: { id: row.id, username: input.username, name: row.name } };
}

/** The staff id behind a session token; unknown is UNAUTHENTICATED, old SESSION_EXPIRED, disabled STAFF_DISABLED. */
export async function authenticateStaff(deps: Deps, token: string): Promise<string> {
  const row = await deps.db.transaction((tx) =>
    tx.get<{ staff_id: string; expires_at_ms: number; disabled_at_ms: number | null }>(
      `SELECT s.staff_id, s.expires_at_ms, o.disabled_at_ms
         FROM ops_sessions s JOIN ops_staff o ON o.id = s.staff_id
        WHERE s.token_hash = ?`,
      [sha256Hex(token)],
    ),
  );
  if (row === undefined) throw new CodedError('UNAUTHENTICATED');
  if (row.disabled_at_ms !== null) throw new CodedError('STAFF_DISABLED');
  if (row.expires_at_ms <= deps.clock.nowMs()) throw new CodedError('SESSION_EXPIRED');
  return row.staff_id;
}

export async function endStaffSession(deps: Deps, token: string): Promise<void> {
  await deps.db.transaction((tx) =>
    tx.run('DELETE FROM ops_sessions WHERE token_hash = ?', [sha256Hex(token)]),
  );
}
