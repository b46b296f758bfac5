import type { Limits, TerminalSummary } from '@cashin/shared';
import type { TerminalRecord } from './terminal-record.js';

type Status = TerminalSummary['status'];

/**
 * A terminal's status, derived from what it last said and when, never stored (so it cannot go stale):
 * not enrolled, disabled by ops, offline when silent past terminalSilentAlertMs, faulted when a device
 * reports a fault, stuck when it beats but its oldest unsynced deposit is older than terminalStuckMs
 * (the queue is not draining), else online.
 */
export function terminalStatus(terminal: TerminalRecord, limits: Limits, nowMs: number): Status {
  const s = limits.system;
  if (terminal.publicKey === null) return 'notEnrolled';
  if (!terminal.enabled) return 'disabled';
  if (terminal.lastHeartbeatAtMs === null || nowMs - terminal.lastHeartbeatAtMs >= s.terminalSilentAlertMs)
    return 'offline';
  if (terminal.devices.some((device) => device.state === 'faulted')) return 'faulted';
  if (
    terminal.queueDepth > 0 &&
    terminal.oldestUnsyncedAtMs !== null &&
    nowMs - terminal.oldestUnsyncedAtMs >= s.terminalStuckMs
  )
    return 'stuck';
  return 'online';
}

export function terminalSummary(terminal: TerminalRecord, limits: Limits, nowMs: number): TerminalSummary {
  return {
    id: terminal.id,
    name: terminal.name,
    storeId: terminal.storeId,
    status: terminalStatus(terminal, limits, nowMs),
    lastHeartbeatAtMs: terminal.lastHeartbeatAtMs,
    softwareVersion: terminal.softwareVersion,
    devices: terminal.devices,
    queueDepth: terminal.queueDepth,
    unsyncedTotalMinor: terminal.unsyncedTotalMinor,
    bagTotalMinor: terminal.bagTotalMinor,
    bagFill: Math.min(1, terminal.bagCoinCount / limits.system.kioskBagCoinsMax),
    lastSequence: Math.max(terminal.sequenceHigh, terminal.reportedLastSequence),
    setAsideDeposits: terminal.setAsideDeposits,
    setAsideTotalMinor: terminal.setAsideTotalMinor,
    setAsideRetryPending: terminal.setAsideRetryPending,
    lastSetAsideRetry: terminal.lastSetAsideRetry,
    serverKeys: terminal.serverKeys,
  };
}
