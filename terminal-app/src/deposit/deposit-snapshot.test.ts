import { describe, expect, it } from 'vitest';
import { KioskSnapshotSchema, formatCode } from '@cashin/shared';
import { depositSnapshot } from './deposit-snapshot.js';
import {
  claimCode,
  coin,
  committedEvent,
  device,
  escrow,
  fixtures,
  intent,
  stateAfter,
  testConfig,
  timer,
} from './testing/deposit-fixtures.js';

function snap(state: Parameters<typeof depositSnapshot>[1]) {
  return KioskSnapshotSchema.parse(depositSnapshot(testConfig, state, 7));
}

describe('deposit snapshot', () => {
  it('shows the attract screen with nothing of any shopper', () => {
    expect(snap(fixtures.idle())).toMatchObject({
      version: 7,
      screen: 'attract',
      currency: 'USD',
      shopper: null,
      remainingMinor: null,
      totalMinor: 0,
      items: [],
      receipt: null,
    });
  });

  it('never carries the shopper code', () => {
    for (const name of Object.keys(fixtures) as (keyof typeof fixtures)[]) {
      const state = fixtures[name]();
      const text = JSON.stringify(depositSnapshot(testConfig, state, 1));
      const code = 'code' in state ? state.code : null;
      if (code) expect(text).not.toContain(code);
      expect(text).not.toMatch(/41\d{14}/);
    }
  });

  it('inserting money: live total, items merged per value, room left after the bill being stacked', () => {
    const state = stateAfter([coin(25), coin(10), coin(25), escrow(1_000)], fixtures.accepting());
    expect(snap(state)).toMatchObject({
      screen: 'insertMoney',
      shopper: { maskedName: 'J*** D***', voucher: false, offline: false },
      totalMinor: 60,
      remainingMinor: 5_000 - 60 - 1_000,
      items: [
        { kind: 'coin', valueMinor: 10, count: 1 },
        { kind: 'coin', valueMinor: 25, count: 2 },
      ],
    });
  });

  it('done screen of a voucher shows the claim code in groups and pending', () => {
    const committing = stateAfter(
      [intent({ type: 'confirm' }), coin(100), intent({ type: 'finish' }), timer('drain')],
      fixtures.confirmingVoucher(),
    );
    const printing = stateAfter([committedEvent(committing)], committing);
    expect(snap(printing)).toMatchObject({
      screen: 'done',
      shopper: { voucher: true },
      receipt: { claimCode: formatCode(claimCode), pending: true, newBalanceMinor: null, status: 'printing' },
    });
  });

  it('out of service names the device and fault; offline cap names its reason', () => {
    expect(snap(fixtures.outOfService()).outOfService).toEqual({
      device: 'coin',
      fault: 'jam',
      errorCode: 'DEVICE_FAULT',
    });
    const disconnected = stateAfter([device({ type: 'disconnected', device: 'bill' })]);
    expect(snap(disconnected).outOfService).toEqual({
      device: 'bill',
      fault: null,
      errorCode: 'DEVICE_FAULT',
    });
    expect(snap(fixtures.offlineCapped()).offlineCap).toEqual({
      reason: 'unsyncedTotal',
      errorCode: 'OFFLINE_CAP_REACHED',
    });
  });
});
