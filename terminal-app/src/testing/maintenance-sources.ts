import type { MaintenanceState, UuidV7 } from '@cashin/shared';
import type { MaintenanceSources } from '../agent/maintenance.js';
import {
  collectResult,
  reprintResult,
  selfTestResult,
  retrySetAsideResult,
  syncResult,
  testPrintResult,
} from '../agent/maintenance-outcomes.js';

/**
 * TEST DOUBLE of the kiosk parts maintenance mode reads (devices, journal, sync), recording what the tech
 * asked for. The maintenance service and screens are under test; these parts are tested where they live.
 */
export function fakeMaintenanceSources(): MaintenanceSources & {
  calls: string[];
  bagState: MaintenanceState['bag'];
} {
  const calls: string[] = [];
  // The newest first: an ordinary deposit, one recovered after a power loss (and held for review), and a
  // voucher whose receipt never printed (the printer ran out of paper).
  const recentDeposits: MaintenanceState['recentDeposits'] = [
    {
      depositId: '019aab40-8c00-7000-8000-000000000041' as UuidV7,
      sequence: 41,
      committedAtMs: Date.UTC(2026, 10, 22, 9, 40),
      totalMinor: 350,
      voucher: false,
      recovered: false,
      heldForReview: false,
      sync: 'pending',
      receiptPrinted: true,
    },
    {
      depositId: '019aab40-8c00-7000-8000-000000000040' as UuidV7,
      sequence: 40,
      committedAtMs: Date.UTC(2026, 10, 22, 9, 20),
      totalMinor: 100,
      voucher: false,
      recovered: true,
      heldForReview: true,
      sync: 'pending',
      receiptPrinted: true,
    },
    {
      depositId: '019aab40-8c00-7000-8000-000000000039' as UuidV7,
      sequence: 39,
      committedAtMs: Date.UTC(2026, 10, 22, 8, 55),
      totalMinor: 1_000,
      voucher: true,
      recovered: false,
      heldForReview: false,
      sync: 'synced',
      receiptPrinted: false,
    },
  ];
  const bagState = { currency: 'USD' as const, totalMinor: 12_345, coinCount: 312, billCount: 4 };
  // One deposit ($1.25) set aside, until the tech sends it again (and the server takes it).
  let setAside = 1;
  return {
    calls,
    bagState,
    terminalId: () => 'kiosk-1',
    softwareVersion: '0.1.0',
    currency: 'USD',
    // The coin acceptor passes its self-test, the printer is out of paper, and the bill validator's port
    // throws (an unexpected failure, whose own words reach the tech only as a labelled detail).
    deviceStatuses: () => [
      { device: 'coin', kind: 'coinAcceptor', state: 'ok', faults: [] },
      { device: 'printer', kind: 'printer', state: 'faulted', faults: ['paperOut'] },
      { device: 'bill', kind: 'billValidator', state: 'disconnected', faults: [] },
    ],
    diagnostics: async () => [],
    selfTest: async (device) => {
      calls.push(`selfTest:${device}`);
      if (device === 'bill') throw new Error('port /dev/ttyUSB1 is closed');
      const kind = device === 'printer' ? 'printer' : 'coinAcceptor';
      const faults = device === 'printer' ? (['paperOut'] as const) : [];
      const ok = faults.length === 0;
      return selfTestResult(device, { device, kind, channels: [], ok, answered: true, faults: [...faults] });
    },
    testPrint: async () => {
      calls.push('testPrint');
      return testPrintResult({ ok: false, reason: 'paperOut' });
    },
    // Three deposits ($4.50) wait to sync and one ($1.25) is quarantined.
    outboxStatus: () => ({
      depth: 3,
      unsyncedTotalMinor: 450,
      oldestUnsyncedAtMs: Date.UTC(2026, 10, 22, 9),
      quarantined: setAside,
      quarantinedTotalMinor: 125 * setAside,
      lastSequence: 41,
    }),
    syncStatus: () => ({
      online: false,
      lastSyncedAtMs: null,
      nextAttemptAtMs: null,
      lastErrorCode: 'SERVER_UNREACHABLE',
    }),
    syncNow: async () => {
      calls.push('syncNow');
      return syncResult({ synced: 0, quarantined: 0, failed: true }, 'SERVER_UNREACHABLE');
    },
    retrySetAside: async () => {
      calls.push('retrySetAside');
      const requeued = setAside;
      setAside = 0;
      return retrySetAsideResult(requeued, { synced: requeued, quarantined: 0, failed: false }, null);
    },
    bag: () => ({ ...bagState }),
    collect: async () => {
      calls.push('collect');
      const bag = { device: 'coin', pieces: bagState.coinCount, totalMinor: bagState.totalMinor };
      Object.assign(bagState, { totalMinor: 0, coinCount: 0, billCount: 0 });
      return collectResult(bagState.currency, [bag]);
    },
    reprintLast: async () => {
      calls.push('reprintLast');
      return reprintResult({ ok: true, sequence: 41 });
    },
    reprint: async (depositId) => {
      calls.push(`reprint:${depositId}`);
      const known = recentDeposits.find((d) => d.depositId === depositId);
      return reprintResult(known ? { ok: true, sequence: known.sequence } : { ok: false, unknown: true });
    },
    recentDeposits: () => recentDeposits.map((d) => ({ ...d })),
    recentErrors: () => [
      { at: '2026-11-22T09:30:00.000Z', code: 'DEVICE_FAULT', detail: 'printer: paper out' },
    ],
  };
}
