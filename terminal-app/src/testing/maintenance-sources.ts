import type { MaintenanceState } from '@cashin/shared';
import type { MaintenanceSources } from '../agent/maintenance.js';

/**
 * TEST DOUBLE of the kiosk parts maintenance mode reads (devices, journal, sync), recording what the tech
 * asked for. The maintenance service and screens are under test; these parts are tested where they live.
 */
export function fakeMaintenanceSources(): MaintenanceSources & {
  calls: string[];
  bagState: MaintenanceState['bag'];
} {
  const calls: string[] = [];
  const bagState = { currency: 'USD' as const, totalMinor: 12_345, coinCount: 312, billCount: 4 };
  return {
    calls,
    bagState,
    terminalId: () => 'kiosk-1',
    softwareVersion: '0.1.0',
    currency: 'USD',
    deviceStatuses: () => [
      { device: 'coin', kind: 'coinAcceptor', state: 'ok', faults: [] },
      { device: 'printer', kind: 'printer', state: 'faulted', faults: ['paperOut'] },
    ],
    diagnostics: async () => [],
    selfTest: async (device) => {
      calls.push(`selfTest:${device}`);
      if (device === 'printer') throw new Error('printer did not answer');
      return { ok: true, summary: `${device}: self-check passed` };
    },
    testPrint: async () => {
      calls.push('testPrint');
      return { ok: false, summary: 'paper out' };
    },
    outboxStatus: () => ({
      depth: 3,
      unsyncedTotalMinor: 450,
      oldestUnsyncedAtMs: Date.UTC(2026, 10, 22, 9),
      quarantined: 1,
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
      return { ok: false, summary: 'server not reachable' };
    },
    bag: () => ({ ...bagState }),
    collect: async () => {
      calls.push('collect');
      const summary = `collected ${bagState.coinCount} coins, ${bagState.totalMinor} minor units`;
      Object.assign(bagState, { totalMinor: 0, coinCount: 0, billCount: 0 });
      return { ok: true, summary };
    },
    reprintLast: async () => {
      calls.push('reprintLast');
      return { ok: true, code: null, summary: 'reprinted deposit 41' };
    },
    recentErrors: () => [
      { at: '2026-11-22T09:30:00.000Z', code: 'DEVICE_FAULT', detail: 'printer: paper out' },
    ],
  };
}
