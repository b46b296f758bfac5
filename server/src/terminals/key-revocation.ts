import type { AlertFacts, TerminalKeyList } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { raiseOrUpdateAlert } from '../alerts/alerts.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import type { Tx } from '../storage/db.js';
import type { StoredTerminalKey } from './key-records.js';
import { publicKeyFingerprint, terminalKeys } from './key-records.js';
import type { TerminalRecord } from './terminal-record.js';
import { lockKnownTerminal, lockTerminal } from './terminal-record.js';
import { terminalKeyList } from './terminal-key-status.js';

/**
 * Revokes a key of the terminal because the device holding it is lost or stolen, in the caller's
 * transaction, which holds the terminal's row lock (lockTerminal): a sync batch, heartbeat or receipt
 * redemption of the same terminal takes that lock too and looks at its key again under it
 * (request-verification.ts, signingKeyNow), so nothing signed with the key changes anything once this
 * commits, in any server process. A revoked current key leaves the terminal without one until a new
 * device enrolls with a rotation's token. The revocation is audited on the terminal's chain and keeps a
 * keyRevoked alert open for a person to follow up. Answers false, having written nothing, for a key
 * already revoked.
 */
export async function revokeKey(
  tx: Tx,
  deps: Pick<Deps, 'newId'>,
  terminal: TerminalRecord,
  key: StoredTerminalKey,
  by: string,
  nowMs: number,
): Promise<boolean> {
  if (key.revokedAtMs !== null) return false;
  await tx.run(
    `UPDATE terminal_keys SET revoked_at_ms = ?, revoked_by = ?, retired_at_ms = COALESCE(retired_at_ms, ?)
     WHERE terminal_id = ? AND public_key = ?`,
    [nowMs, by, nowMs, terminal.id, key.publicKey],
  );
  const wasCurrent = terminal.publicKey === key.publicKey;
  if (wasCurrent) await tx.run('UPDATE terminals SET public_key = NULL WHERE id = ?', [terminal.id]);
  const keyFingerprint = publicKeyFingerprint(key.publicKey);
  await appendAudit(
    tx,
    { kind: 'terminal.keyRevoked', subject: terminal.id, data: { keyFingerprint, wasCurrent, by } },
    nowMs,
  );
  await raiseOrUpdateAlert(
    tx,
    deps,
    { terminalId: terminal.id, storeId: terminal.storeId, facts: revokedKeyFacts(keyFingerprint, null) },
    nowMs,
  );
  return true;
}

/** A keyRevoked alert's facts about one key: revoked now (`refusedAtMs` null), or a request refused. */
function revokedKeyFacts(keyFingerprint: string, refusedAtMs: number | null): AlertFacts {
  return {
    kind: 'keyRevoked',
    keyFingerprints: [keyFingerprint],
    refusedRequests: refusedAtMs === null ? 0 : 1,
    lastRefusedAtMs: refusedAtMs,
  };
}

/**
 * Ops revoke one key of a terminal at once, by its fingerprint: its device turned out lost or stolen after
 * a `replaced` rotation, whether the new device has enrolled (the key is handing over) or not yet (the key
 * is still current; the rotation's token stays good for the new device). Answers the terminal's keys as
 * they now stand; asking again for a revoked key changes and records nothing.
 */
export async function revokeTerminalKey(
  deps: Deps,
  terminalId: string,
  keyFingerprint: string,
  by: string,
): Promise<TerminalKeyList> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const terminal = await lockKnownTerminal(tx, terminalId);
    const key = (await terminalKeys(tx, terminalId)).find(
      (candidate) => publicKeyFingerprint(candidate.publicKey) === keyFingerprint,
    );
    if (key === undefined) throw new CodedError('NOT_FOUND', { keyFingerprint });
    await revokeKey(tx, deps, terminal, key, by, nowMs);
    return terminalKeyList(tx, deps.limits, terminalId, nowMs);
  });
}

/**
 * A request signed with a revoked key was refused: the terminal's keyRevoked alert counts it and says when
 * (raised again if a person had closed it), so ops learn that the lost device is out there and trying.
 * Only a holder of the key gets this far: the signature verified.
 */
export async function noteRevokedKeyUse(
  deps: Pick<Deps, 'db' | 'clock' | 'newId'>,
  terminalId: string,
  publicKey: string,
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  await deps.db.transaction(async (tx) => {
    const terminal = await lockTerminal(tx, terminalId);
    if (terminal === undefined) return;
    await raiseOrUpdateAlert(
      tx,
      deps,
      {
        terminalId,
        storeId: terminal.storeId,
        facts: revokedKeyFacts(publicKeyFingerprint(publicKey), nowMs),
      },
      nowMs,
    );
  });
}
