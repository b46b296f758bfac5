import type { HeartbeatRequest, HeartbeatResponse } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { raiseOrUpdateAlert, resolveAlert, updateOpenAlert } from '../alerts/alerts.js';
import type { Deps } from '../deps.js';
import type { TerminalCaller } from './request-verification.js';
import { signingKeyNow } from './request-verification.js';
import { settleSetAsideRetry } from './set-aside-retry.js';
import { lockTerminal } from './terminal-record.js';

/**
 * Records a heartbeat on the terminal's row (the fleet view reads it from there) and keeps the alerts
 * that a heartbeat can settle in step: a silent terminal that beats again is no longer silent; a faulted
 * device raises deviceFault until it clears; a bag past bagNearlyFullPercent of its capacity raises
 * bagNearlyFull until it is collected; more deposits set aside by the terminal (cash no wallet has) raise
 * depositsSetAside, which closes when none are left; a report of what came of ops' request to send them
 * again settles that request (set-aside-retry.ts). Answers whether ops have disabled the terminal and
 * whether a request to send the set-aside deposits again still waits.
 */
export async function recordHeartbeat(
  deps: Deps,
  caller: TerminalCaller,
  beat: HeartbeatRequest,
): Promise<Omit<HeartbeatResponse, 'serverKeys'>> {
  const nowMs = deps.clock.nowMs();
  const { kioskBagCoinsMax, bagNearlyFullPercent } = deps.limits.system;
  const { terminalId } = caller;
  return deps.db.transaction(async (tx) => {
    const terminal = await lockTerminal(tx, terminalId);
    if (terminal === undefined) throw new CodedError('TERMINAL_UNKNOWN');
    // What a heartbeat writes (the last sequence it reports sets where a new device's numbers start) is
    // the current device's to say: a key revoked or retired since its signature was verified says nothing.
    if ((await signingKeyNow(tx, terminal, caller)).retiredAtMs !== null)
      throw new CodedError('SIGNATURE_INVALID', { part: 'signature' });
    const { quarantined, quarantinedTotalMinor } = beat.outbox;
    await tx.run(
      `UPDATE terminals SET last_heartbeat_at_ms = ?, software_version = ?, devices_json = ?, queue_depth = ?,
         unsynced_total_minor = ?, oldest_unsynced_at_ms = ?, reported_last_sequence = ?, bag_total_minor = ?,
         bag_coin_count = ?, set_aside_reported = ?, set_aside_total_minor = ?, server_keys_json = ?
       WHERE id = ?`,
      [
        nowMs,
        beat.softwareVersion,
        JSON.stringify(beat.devices),
        beat.outbox.depth,
        beat.outbox.unsyncedTotalMinor,
        beat.outbox.oldestUnsyncedAtMs,
        beat.outbox.lastSequence,
        beat.bag.totalMinor,
        beat.bag.coinCount,
        quarantined,
        quarantinedTotalMinor ?? null,
        beat.serverKeys === undefined ? null : JSON.stringify(beat.serverKeys),
        terminalId,
      ],
    );
    const alert = { terminalId, storeId: terminal.storeId };
    await resolveAlert(tx, terminalId, 'terminalSilent', nowMs);
    const faulted = beat.devices.filter((device) => device.state === 'faulted');
    if (faulted.length > 0) {
      const devices = faulted.map((device) => ({ device: device.device, faults: [...device.faults] }));
      await raiseOrUpdateAlert(tx, deps, { ...alert, facts: { kind: 'deviceFault', devices } }, nowMs);
    } else {
      await resolveAlert(tx, terminalId, 'deviceFault', nowMs);
    }
    if (beat.bag.coinCount * 100 >= kioskBagCoinsMax * bagNearlyFullPercent) {
      const facts = { kind: 'bagNearlyFull', coins: beat.bag.coinCount, coinsMax: kioskBagCoinsMax } as const;
      await raiseOrUpdateAlert(tx, deps, { ...alert, facts }, nowMs);
    } else {
      await resolveAlert(tx, terminalId, 'bagNearlyFull', nowMs);
    }
    // Deposits set aside stay so on the kiosk until a tech, or ops from the console, has them sent again
    // (their cash is counted when its bag is collected), and its heartbeats keep reporting them: the alert
    // is raised when their count grows, brought up to date while open, and closed when none are left. An
    // operator who closed it by hand is asked again only about more.
    if (quarantined === 0) {
      await resolveAlert(tx, terminalId, 'depositsSetAside', nowMs);
    } else {
      const facts = {
        kind: 'depositsSetAside',
        deposits: quarantined,
        totalMinor: quarantinedTotalMinor ?? null,
        currency: terminal.currency,
      } as const;
      if (quarantined > terminal.setAsideDeposits)
        await raiseOrUpdateAlert(tx, deps, { ...alert, facts }, nowMs);
      else await updateOpenAlert(tx, { ...alert, facts });
    }
    const retrySetAside = await settleSetAsideRetry(tx, terminal, beat.setAsideRetried, nowMs);
    return { serverTimeMs: nowMs, disabled: !terminal.enabled, retrySetAside };
  });
}
