import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TempJournal } from '../journal/testing/temp-journal.js';
import { tempJournal } from '../journal/testing/temp-journal.js';
import { shopperCode, testConfig } from './testing/deposit-fixtures.js';
import { RunnerRig } from './testing/runner-rig.js';

// A money device that fails mid-deposit, through the runner and the real journal (SQLite on a temp file).
// What the device held when it failed is unknown: the shopper's deposit is committed with their code and
// held for review, never abandoned, and the drain waits (bounded) for the device to be polled again.
let temp: TempJournal;
let rig: RunnerRig;
beforeEach(() => {
  temp = tempJournal(testConfig.terminalId);
  rig = new RunnerRig(temp);
});
afterEach(() => {
  rig.crash();
  temp.cleanup();
});

const escrow20 = {
  type: 'escrow',
  device: 'bill',
  ccTalkId: 'US0020A',
  currency: 'USD',
  valueMinor: 2_000,
} as const;
const stacked20 = {
  type: 'credit',
  device: 'bill',
  kind: 'bill',
  ccTalkId: 'US0020A',
  currency: 'USD',
  valueMinor: 2_000,
  count: 1,
} as const;

function statusOf(depositId: string): string {
  return rig.read<{ status: string }>('SELECT status FROM deposits WHERE deposit_id = ?', depositId).status;
}

function shopperDeposits() {
  return rig.journal.committedAfter(0, 10).filter((d) => d.code !== null);
}

describe('a money device fails during a deposit', () => {
  it('the only bill jams while being stacked: the deposit commits at zero with the shopper code, held for review', async () => {
    await rig.openDeposit();
    const depositId = rig.journal.openDepositIds()[0]!;
    rig.devices.emit(escrow20);
    expect(rig.devices.commands).toContain('routeBill bill stack');
    rig.devices.emit({ type: 'fault', device: 'bill', fault: 'jam', detail: 'status 6' });
    await rig.clock.advanceAsync(testConfig.escrowSettleMs + testConfig.drainMs);
    expect(statusOf(depositId)).toBe('committed');
    expect(shopperDeposits()).toMatchObject([
      { depositId, code: shopperCode, totalMinor: 0, flags: { lostEvents: true, deviceFault: true } },
    ]);
    expect(rig.snapshot.screen).toBe('done');
  });

  it('a bill reported stacked after the settle window: the deposit that committed without it is flagged', async () => {
    await rig.openDeposit();
    rig.devices.insertCoin(100);
    rig.devices.emit(escrow20);
    rig.runner.intent({ type: 'finish' });
    await rig.clock.advanceAsync(testConfig.escrowSettleMs + testConfig.drainMs);
    rig.devices.emit(stacked20);
    expect(shopperDeposits()).toMatchObject([{ totalMinor: 100, flags: { lostEvents: true } }]);
  });

  it('a bill stacked within the settle window is counted in the deposit, unflagged', async () => {
    await rig.openDeposit();
    rig.devices.emit(escrow20);
    rig.runner.intent({ type: 'finish' });
    await rig.clock.advanceAsync(testConfig.escrowSettleMs - 1_000);
    rig.devices.emit(stacked20);
    await rig.clock.advanceAsync(testConfig.drainMs);
    expect(shopperDeposits()).toMatchObject([{ totalMinor: 2_000, flags: { lostEvents: false } }]);
  });

  it('the coin acceptor drops off before its coins were polled: the drain waits for it, and its coins are the shopper’s', async () => {
    await rig.openDeposit();
    const depositId = rig.journal.openDepositIds()[0]!;
    rig.devices.emit({ type: 'disconnected', device: 'coin', detail: 'port closed' });
    await rig.clock.advanceAsync(testConfig.drainMs);
    expect(statusOf(depositId)).toBe('open');
    expect(rig.snapshot.screen).toBe('finishing');
    // The port comes back; the next polls report the two quarters it buffered.
    rig.devices.emit({ type: 'connected', device: 'coin' });
    rig.devices.emit(rig.devices.coinCredit(25));
    rig.devices.emit(rig.devices.coinCredit(25));
    await rig.clock.advanceAsync(testConfig.drainMs);
    expect(shopperDeposits()).toMatchObject([
      { depositId, code: shopperCode, totalMinor: 50, flags: { lostEvents: true, deviceFault: true } },
    ]);
    expect(rig.journal.strayDeposits().deposits).toBe(0);
  });

  it('a coin acceptor that stays away: the deposit commits at the bound, at zero, with the shopper code, flagged', async () => {
    await rig.openDeposit();
    const depositId = rig.journal.openDepositIds()[0]!;
    rig.devices.emit({ type: 'disconnected', device: 'coin', detail: 'port closed' });
    await rig.clock.advanceAsync(testConfig.deviceSettleMsMax - 1);
    expect(statusOf(depositId)).toBe('open');
    await rig.clock.advanceAsync(testConfig.drainMs);
    expect(shopperDeposits()).toMatchObject([
      { depositId, code: shopperCode, totalMinor: 0, flags: { lostEvents: true, deviceFault: true } },
    ]);
  });
});
