import { describe, expect, it } from 'vitest';
import { LimitsError, defaultLimits, loadLimits } from '@cashin/shared';
import { depositConfig } from './deposit-config.js';

const kiosk = {
  terminalId: 'kiosk-1',
  terminalName: 'Kiosk',
  timeZone: 'America/Mexico_City',
  currency: 'MXN' as const,
  defaultLanguage: 'es' as const,
  deviceKinds: { coin: 'coinAcceptor' as const },
};

describe('deposit config', () => {
  it('takes the offline caps of its currency and the named system limits', () => {
    const config = depositConfig({ ...kiosk, limits: defaultLimits });
    const mxn = defaultLimits.money.MXN!;
    expect(config).toMatchObject({
      offlineDepositMaxMinor: mxn.kioskOfflineDepositMaxMinor,
      offlineUnsyncedMaxMinor: mxn.kioskOfflineUnsyncedMaxMinor,
      offlineOldestUnsyncedMs: mxn.kioskOfflineOldestUnsyncedMs,
      voucherDepositMaxMinor: mxn.kioskOfflineDepositMaxMinor,
      idleTimeoutMs: defaultLimits.system.depositIdleTimeoutMs,
      drainMs: defaultLimits.system.depositDrainMs,
      escrowSettleMs: defaultLimits.system.depositEscrowSettleMs,
      counterSettleMsMax: defaultLimits.system.depositCounterSettleMsMax,
      deviceSettleMsMax: defaultLimits.system.depositDeviceSettleMsMax,
      lookupTimeoutMs: defaultLimits.system.depositLookupTimeoutMs,
      receiptScreenMs: defaultLimits.system.depositReceiptScreenMs,
      receiptOwedMs: defaultLimits.system.depositReceiptOwedMs,
    });
  });

  it.each([
    ['a lookup that outlasts the idle time-out', { depositLookupTimeoutMs: 60_000 }],
    ['a done screen longer than the idle time-out', { depositReceiptScreenMs: 120_000 }],
    ['a receipt owed for less time than a shopper may wait', { depositReceiptOwedMs: 30_000 }],
    ['an escrow wait shorter than the drain', { depositEscrowSettleMs: 1_000 }],
    ['an escrow wait past the idle time-out', { depositEscrowSettleMs: 90_000 }],
    ['a counting counter waited for less than the drain', { depositCounterSettleMsMax: 1_000 }],
    ['a device that went away waited for less than one reconnect', { depositDeviceSettleMsMax: 5_000 }],
  ])('refuses limits with %s', (_, system) => {
    expect(() => loadLimits({ system })).toThrow(LimitsError);
  });

  it('refuses a currency without limits', () => {
    const limits = { ...defaultLimits, money: { USD: defaultLimits.money.USD } };
    expect(() => depositConfig({ ...kiosk, limits })).toThrow();
  });
});
