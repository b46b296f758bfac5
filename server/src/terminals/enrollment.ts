import bwipjs from 'bwip-js';
import type { CurrencyCode, KeyRotation, OldDeviceFate } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { randomBytes } from 'node:crypto';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { ensureAccount } from '../ledger/accounts.js';
import { secretsEqual, sha256Hex } from '../secrets/hash.js';
import type { Tx } from '../storage/db.js';
import { nextShortId } from '../stores/short-ids.js';
import { requireStore } from '../stores/stores.js';
import { findTerminalKey, publicKeyFingerprint } from './key-records.js';
import { revokeKey } from './key-revocation.js';
import { lockKnownTerminal, lockTerminal } from './terminal-record.js';

/** Random bytes in an enrollment token: 192 bits, 32 base64url characters, short enough to type. */
export const enrollmentTokenBytes = 24;

export interface EnrollmentToken {
  readonly terminalId: string;
  /** Shown once to ops; only its hash is stored. */
  readonly token: string;
  readonly expiresAtMs: number;
  readonly qrSvg: string;
}

function tokenHash(token: string): string {
  return sha256Hex(`enroll:${token}`);
}

/** Any earlier unused token of the terminal stops working, then a fresh one is stored by its hash. */
async function issueToken(tx: Tx, deps: Deps, terminalId: string, nowMs: number): Promise<EnrollmentToken> {
  await tx.run(
    'UPDATE enrollment_tokens SET expires_at_ms = ? WHERE terminal_id = ? AND used_at_ms IS NULL AND expires_at_ms > ?',
    [nowMs, terminalId, nowMs],
  );
  const token = randomBytes(enrollmentTokenBytes).toString('base64url');
  const expiresAtMs = nowMs + deps.limits.system.enrollmentTokenTtlMs;
  await tx.run(
    'INSERT INTO enrollment_tokens (token_hash, terminal_id, expires_at_ms, created_at_ms) VALUES (?, ?, ?, ?)',
    [tokenHash(token), terminalId, expiresAtMs, nowMs],
  );
  const qrSvg = bwipjs.toSVG({ bcid: 'qrcode', text: token, scale: 4, paddingwidth: 8, paddingheight: 8 });
  return { terminalId, token, expiresAtMs, qrSvg };
}

/**
 * Ops creates a terminal in a store: its id, its cash-bag account and a one-time enrollment token. Every
 * change to a terminal is audited on the terminal's chain.
 */
export async function createTerminal(
  deps: Deps,
  input: { storeId: string; name: string },
  by: string,
): Promise<EnrollmentToken> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const store = await requireStore(tx, input.storeId);
    const id = await nextShortId(tx, 'terminal');
    const bagAccountId = await ensureAccount(
      tx,
      { kind: 'kioskBag', ownerRef: id, currency: store.currency },
      deps.newId,
      nowMs,
    );
    await tx.run(
      `INSERT INTO terminals (id, store_id, name, currency, bag_account_id, created_at_ms)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [id, store.id, input.name, store.currency, bagAccountId, nowMs],
    );
    await appendAudit(
      tx,
      { kind: 'terminal.created', subject: id, data: { storeId: store.id, name: input.name, by } },
      nowMs,
    );
    return issueToken(tx, deps, id, nowMs);
  });
}

/**
 * A new enrollment token for an existing terminal, and what becomes of the old device's key, as ops say
 * (oldDeviceFates in shared):
 * - `replaced`: the current key keeps working until the new one enrolls, so the kiosk is not cut off while
 *   a tech is on the way; then it may hand over what it holds (request-verification.ts).
 * - `lost`: the current key is revoked in the same transaction (key-revocation.ts), before any new device
 *   enrolls: whoever holds the device can do nothing with it from this commit on.
 * The rotation is audited with the choice, and a lost one with the key it revoked.
 */
export async function rotateTerminalKey(
  deps: Deps,
  terminalId: string,
  oldDevice: OldDeviceFate,
  by: string,
): Promise<KeyRotation> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const terminal = await lockKnownTerminal(tx, terminalId);
    await appendAudit(
      tx,
      { kind: 'terminal.keyRotationStarted', subject: terminalId, data: { oldDevice, by } },
      nowMs,
    );
    let revokedKeyFingerprint: string | null = null;
    if (oldDevice === 'lost' && terminal.publicKey !== null) {
      const current = await findTerminalKey(tx, terminalId, terminal.publicKey);
      if (current === undefined) throw new Error("a terminal's current key is missing from terminal_keys");
      await revokeKey(tx, deps, terminal, current, by, nowMs);
      revokedKeyFingerprint = publicKeyFingerprint(current.publicKey);
    }
    const token = await issueToken(tx, deps, terminalId, nowMs);
    return { ...token, oldDevice, revokedKeyFingerprint };
  });
}

export interface Enrollment {
  readonly terminalId: string;
  readonly storeId: string;
  readonly currency: CurrencyCode;
  readonly serverTimeMs: number;
  /**
   * The terminal's highest deposit sequence number the server holds or its device last reported (0 when
   * none). A replaced kiosk with a fresh journal numbers its deposits after it; without it, they would
   * all collide with its predecessor's and be answered as conflicts.
   */
  readonly sequenceHigh: number;
}

/**
 * The kiosk presents its token once with its public key. The key becomes the terminal's current key; the
 * previous one is retired (kept for verifying receipts it signed). A repeat of the same enrollment (the
 * kiosk lost the answer and retried) answers the same again, with the sequence high as it is now; any other
 * reuse of the token is refused.
 */
export async function enrollTerminal(
  deps: Deps,
  input: { token: string; publicKey: string; softwareVersion: string },
): Promise<Enrollment> {
  const nowMs = deps.clock.nowMs();
  const outcome = await deps.db.transaction(async (tx) => {
    const token = await tx.get<{ terminal_id: string; expires_at_ms: number; used_at_ms: number | null }>(
      'SELECT terminal_id, expires_at_ms, used_at_ms FROM enrollment_tokens WHERE token_hash = ?',
      [tokenHash(input.token)],
    );
    if (token === undefined) return undefined;
    const terminal = await lockTerminal(tx, token.terminal_id);
    if (terminal === undefined) throw new Error('an enrollment token names a terminal that does not exist');
    const answer: Enrollment = {
      terminalId: terminal.id,
      storeId: terminal.storeId,
      currency: terminal.currency,
      serverTimeMs: nowMs,
      // Read under the terminal's row lock, which sync batches and receipt redemptions also take: every
      // number they recorded before this enrollment is counted. The number the old device last reported
      // in a heartbeat counts too: its deposits not yet synced keep their numbers, so the new device skips
      // them, the server sees a gap until they arrive, and the old device, if recovered, can still sync.
      sequenceHigh: Math.max(terminal.sequenceHigh, terminal.reportedLastSequence),
    };
    if (token.used_at_ms !== null) {
      const sameKey = terminal.publicKey !== null && secretsEqual(terminal.publicKey, input.publicKey);
      return sameKey ? answer : undefined;
    }
    if (token.expires_at_ms <= nowMs) return undefined;
    // A key ops revoked never signs again, whatever token it comes with; the token stays unused.
    const known = await findTerminalKey(tx, terminal.id, input.publicKey);
    if (known !== undefined && known.revokedAtMs !== null) throw new CodedError('TERMINAL_KEY_REVOKED');
    const won = await tx.run(
      'UPDATE enrollment_tokens SET used_at_ms = ? WHERE token_hash = ? AND used_at_ms IS NULL',
      [nowMs, tokenHash(input.token)],
    );
    if (won === 0) return undefined;
    await tx.run(
      'UPDATE terminal_keys SET retired_at_ms = ? WHERE terminal_id = ? AND retired_at_ms IS NULL',
      [nowMs, terminal.id],
    );
    await tx.run(
      `INSERT INTO terminal_keys (terminal_id, public_key, enrolled_at_ms) VALUES (?, ?, ?)
       ON CONFLICT (terminal_id, public_key) DO UPDATE SET retired_at_ms = NULL`,
      [terminal.id, input.publicKey, nowMs],
    );
    await tx.run(
      'UPDATE terminals SET public_key = ?, enrolled_at_ms = ?, software_version = ? WHERE id = ?',
      [input.publicKey, nowMs, input.softwareVersion, terminal.id],
    );
    await appendAudit(
      tx,
      {
        kind: 'terminal.enrolled',
        subject: terminal.id,
        data: {
          keyFingerprint: publicKeyFingerprint(input.publicKey),
          softwareVersion: input.softwareVersion,
          by: terminal.id,
        },
      },
      nowMs,
    );
    return answer;
  });
  if (outcome === undefined) throw new CodedError('ENROLLMENT_TOKEN_INVALID');
  return outcome;
}

/**
 * Ops take a terminal out of service (or back): a disabled terminal may only send heartbeats. Asking for
 * the state it is already in changes and records nothing.
 */
export async function setTerminalEnabled(
  deps: Deps,
  terminalId: string,
  enabled: boolean,
  by: string,
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  await deps.db.transaction(async (tx) => {
    const terminal = await lockKnownTerminal(tx, terminalId);
    if (terminal.enabled === enabled) return;
    await tx.run('UPDATE terminals SET enabled = ? WHERE id = ?', [enabled ? 1 : 0, terminalId]);
    await appendAudit(
      tx,
      { kind: enabled ? 'terminal.enabled' : 'terminal.disabled', subject: terminalId, data: { by } },
      nowMs,
    );
  });
}
