import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Code } from '@cashin/shared';
import { defaultLimits, formatCode } from '@cashin/shared';
import { BulkCounterSim, seededRandom } from '@cashin/hardware-sim';
import { run, until } from '@cashin/hardware-sim/testing';
import { duplexPair } from '../devices/common/duplex-pair.js';
import { BulkCounter } from '../devices/counter/bulk-counter.js';
import type { TempJournal } from '../journal/testing/temp-journal.js';
import { tempJournal } from '../journal/testing/temp-journal.js';
import type { DepositConfig } from './deposit-config.js';
import { shopperCode, testConfig } from './testing/deposit-fixtures.js';
import { RunnerRig } from './testing/runner-rig.js';

// The pour-in kiosk end to end below the UI: the simulated Scan Coin style counter speaks its bytes to the
// real driver, whose events reach the deposit runner and the real journal. The counter cannot be
// inhibited, so every coin of a pour must reach the shopper who poured it, however early they tap Finish.
const config: DepositConfig = {
  ...testConfig,
  deviceKinds: { ...testConfig.deviceKinds, counter: 'bulkCounter' },
};
let temp: TempJournal;
let rig: RunnerRig;
let sim: BulkCounterSim;
let driver: BulkCounter;

beforeEach(async () => {
  temp = tempJournal(config.terminalId);
  rig = new RunnerRig(temp, config);
  sim = new BulkCounterSim({ currency: 'USD', clock: rig.clock, baud: undefined, random: seededRandom(3) });
  const [kioskEnd, deviceEnd] = duplexPair();
  sim.attach(deviceEnd);
  driver = new BulkCounter({
    name: 'counter',
    currency: 'USD',
    stream: kioskEnd,
    clock: rig.clock,
    limits: defaultLimits.system,
  });
  driver.subscribe((event) => rig.devices.emit(event));
  await until(rig.clock, driver.start(), 10_000);
});

afterEach(async () => {
  await until(rig.clock, driver.close());
  rig.crash();
  temp.cleanup();
});

const shopperDeposits = () => rig.journal.committedAfter(0, 100).filter((d) => d.code !== null);
const strayDeposits = () => rig.journal.committedAfter(0, 100).filter((d) => d.code === null);

describe('pour-in kiosk: Finish while the counter is still counting', () => {
  it('every coin of the pour is on the shopper’s receipt, none a stray; Finish shows "still counting" meanwhile', async () => {
    await rig.openDeposit();
    // 200 quarters at 1,200 coins a minute: ten seconds of counting.
    const poured = sim.pour({ coins: 200, coinsPerMinute: 1_200, ccTalkId: 'US025A' });
    await run(rig.clock, 3_000, 10);
    expect(rig.snapshot).toMatchObject({ screen: 'insertMoney', counting: true });
    rig.runner.intent({ type: 'finish' });
    await run(rig.clock, config.drainMs + 500, 10);
    expect(rig.snapshot).toMatchObject({ screen: 'finishing', counting: true });
    await until(rig.clock, poured, 60_000, 10);
    await run(rig.clock, 1_000, 10);
    expect(shopperDeposits()).toMatchObject([
      { code: shopperCode, totalMinor: 200 * 25, flags: { lostEvents: false, deviceFault: false } },
    ]);
    expect(strayDeposits()).toEqual([]);
    expect(rig.snapshot).toMatchObject({ screen: 'done', counting: false });
  });

  it('coins poured past the shopper’s limit are credited to them (held for review at sync), not sent to suspense', async () => {
    // The rig's shopper may still deposit 50.00; they pour 75.00 of quarters.
    await rig.openDeposit();
    await until(rig.clock, sim.pour({ coins: 300, coinsPerMinute: 1_200, ccTalkId: 'US025A' }), 60_000, 10);
    await run(rig.clock, 2_000, 10);
    expect(shopperDeposits()).toMatchObject([{ code: shopperCode, totalMinor: 300 * 25 }]);
    expect(strayDeposits()).toEqual([]);
  });

  it('a counter that never stops counting: the deposit commits at depositCounterSettleMsMax, held for review', async () => {
    await rig.openDeposit();
    // 2,000 coins at 300 a minute: over six minutes, longer than the drain may wait.
    void sim.pour({ coins: 2_000, coinsPerMinute: 300, ccTalkId: 'US010A' });
    await run(rig.clock, 2_000, 10);
    rig.runner.intent({ type: 'finish' });
    await run(rig.clock, config.counterSettleMsMax - 1_000, 50);
    expect(rig.snapshot.screen).toBe('finishing');
    await run(rig.clock, 2_000, 50);
    const [deposit] = shopperDeposits();
    expect(deposit).toMatchObject({ code: shopperCode, flags: { lostEvents: true } });
    expect(deposit!.totalMinor).toBeGreaterThan(0);
  });
});

describe('pour-in kiosk: a garbled register read during a deposit', () => {
  it('one low read of the register does not credit the pour again', async () => {
    await rig.openDeposit();
    await until(rig.clock, sim.pour({ coins: 40, coinsPerMinute: 1_200, ccTalkId: 'US025A' }), 60_000, 10);
    await run(rig.clock, 500, 10);
    const quarter = sim.registers.findIndex((d) => d.ccTalkId === 'US025A');
    sim.misreadRegister(quarter, -1, 1);
    await run(rig.clock, 600, 10);
    rig.runner.intent({ type: 'finish' });
    await run(rig.clock, 2_000, 10);
    expect(shopperDeposits()).toMatchObject([{ totalMinor: 40 * 25 }]);
    expect(strayDeposits()).toEqual([]);
  });
});

describe('pour-in kiosk: coins poured before a deposit is open', () => {
  it('coins poured at the attract screen open a voucher deposit that holds the whole pour, not strays', async () => {
    // 200 coins of a realistic mix at 1,200 a minute, poured before anyone tapped Start.
    const poured = sim.pour({ coins: 200, coinsPerMinute: 1_200 });
    await run(rig.clock, 1_000, 10);
    expect(rig.snapshot).toMatchObject({
      screen: 'insertMoney',
      notice: 'pouredAsVoucher',
      shopper: { voucher: true },
    });
    await until(rig.clock, poured, 60_000, 10);
    await run(rig.clock, 1_000, 10);
    rig.runner.intent({ type: 'finish' });
    await run(rig.clock, config.drainMs + 1_000, 10);
    const deposits = rig.journal.committedAfter(0, 100);
    expect(deposits).toHaveLength(1);
    const [voucher] = deposits;
    expect(voucher).toMatchObject({ code: null, flags: { lostEvents: false } });
    expect(voucher!.claimCode).not.toBeNull();
    // Every coin the counter counted is on it, and its receipt carries the claim code.
    expect(voucher!.totalMinor).toBe(sim.totals.valueMinor);
    expect(voucher!.items.reduce((sum, item) => sum + item.count, 0)).toBe(sim.totals.count);
    // "Tap Finish to print it" is over: the done screen does not keep saying it.
    expect(rig.snapshot).toMatchObject({
      screen: 'done',
      notice: null,
      receipt: { depositId: voucher!.depositId },
    });
    const printedText = (rig.devices.printed.at(-1)?.lines ?? []).flatMap((line) =>
      line.type === 'text' ? [line.text] : [],
    );
    expect(printedText).toContain(formatCode(voucher!.claimCode as Code));
  });

  it('coins poured while the shopper is still identifying go on a voucher too, and a late lookup answer is ignored', async () => {
    rig.runner.intent({ type: 'start' });
    rig.runner.intent({ type: 'keyedCode', text: shopperCode });
    // The server does not answer the lookup; the shopper pours meanwhile.
    rig.lookup.mode = 'hang';
    const poured = sim.pour({ coins: 40, coinsPerMinute: 1_200, ccTalkId: 'US025A' });
    await until(rig.clock, poured, 60_000, 10);
    await run(rig.clock, 6_000, 10);
    expect(rig.snapshot).toMatchObject({ screen: 'insertMoney', shopper: { voucher: true } });
    await rig.finish();
    await run(rig.clock, 1_000, 10);
    expect(rig.journal.committedAfter(0, 100)).toMatchObject([{ code: null, totalMinor: 40 * 25 }]);
    expect(shopperDeposits()).toEqual([]);
  });
});
