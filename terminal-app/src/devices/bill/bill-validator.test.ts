import { describe, expect, it } from 'vitest';
import type { Denomination, DeviceEvent } from '@cashin/shared';
import { FakeClock, defaultLimits } from '@cashin/shared';
import { BillValidatorSim } from '@cashin/hardware-sim';
import { duplexPair } from '../common/duplex-pair.js';
import type { DeviceAlarm } from '../common/driver.js';
import { run, until } from '@cashin/hardware-sim/testing';
import { BillValidator } from './bill-validator.js';

// The bill validator driver against the simulated validator (CRC-16, escrow) over an in-memory line.
const limits = defaultLimits.system;

/** 159 status codes from the ccTalk table in the reference notes, written out to check the driver against it. */
const billStatus = { pulledBackwards: 8, unknownBillStacked: 21 } as const;

async function rig(decideEscrow?: (sim: BillValidatorSim, bill: Denomination) => boolean) {
  const clock = new FakeClock();
  const [kioskEnd, deviceEnd] = duplexPair();
  const sim = new BillValidatorSim({ currency: 'USD', clock, limits });
  sim.attach(deviceEnd);
  const alarms: DeviceAlarm[] = [];
  const driver = new BillValidator({
    name: 'bill',
    currency: 'USD',
    stream: kioskEnd,
    clock,
    limits,
    onAlarm: (alarm) => alarms.push(alarm),
    ...(decideEscrow ? { decideEscrow: (bill: Denomination) => decideEscrow(sim, bill) } : {}),
  });
  const events: DeviceEvent[] = [];
  driver.subscribe((event) => events.push(event));
  await until(clock, driver.start());
  await until(clock, driver.setAcceptLimit(100_000));
  return { clock, sim, driver, events, alarms };
}

const summary = (events: DeviceEvent[]) =>
  events.flatMap((e) => {
    switch (e.type) {
      case 'fault':
      case 'faultCleared':
        return [`${e.type}:${e.fault}`];
      case 'reject':
        return [`reject:${e.reason}:${e.valueMinor ?? ''}`];
      case 'credit':
      case 'escrow':
        return [`${e.type}:${e.valueMinor}`];
      case 'lostEvents':
        return [`lostEvents:${e.count}`];
      default:
        return [];
    }
  });

describe('bill validator: one-off alarms are rejects, faults are what a technician must clear', () => {
  it('a fraud status (a bill on a string, pulled back) is a reject and an alarm, never a fault', async () => {
    const { clock, sim, driver, events, alarms } = await rig();
    sim.fraud();
    sim.pushEvent(0, billStatus.pulledBackwards);
    await run(clock, 600);
    expect(summary(events)).toEqual(['reject:rejected:', 'reject:rejected:']);
    expect(driver.status().state).toBe('ok');
    expect(alarms.map((a) => a.alarm)).toEqual(['fraudAttempt', 'fraudAttempt']);
    // The validator still takes bills.
    expect(sim.insert(2_000)).toBe('escrowed');
    await run(clock, 600);
    expect(summary(events).slice(2)).toEqual(['escrow:2000', 'credit:2000']);
    await until(clock, driver.close());
  });

  it('a bill stacked but not identified (status 21, or a channel with no denomination) is money of unknown value: lost events, not a reject', async () => {
    const { clock, sim, driver, events, alarms } = await rig();
    const unmapped = 16;
    expect(driver.billTable.has(unmapped)).toBe(false);
    sim.pushEvent(0, billStatus.unknownBillStacked);
    sim.pushEvent(unmapped, 0);
    await run(clock, 600);
    expect(summary(events)).toEqual(['lostEvents:1', 'lostEvents:1']);
    expect(driver.status().faults).toEqual([]);
    expect(alarms.map((a) => a.alarm)).toEqual(['unknownMoney', 'unknownMoney']);
    await until(clock, driver.close());
  });

  it('a route the validator refuses is no fault: the bill is handed back at once, and the stacker speaks for itself', async () => {
    // The cash box is pulled out while the bill waits in escrow, so the stack command is refused.
    const { clock, sim, driver, events, alarms } = await rig((sim) => {
      sim.removeStacker();
      return true;
    });
    expect(sim.insert(2_000)).toBe('escrowed');
    await run(clock, 600);
    expect(summary(events)).toEqual([
      'escrow:2000',
      'fault:stackerRemoved',
      'reject:returnedFromEscrow:2000',
    ]);
    expect(sim.billInEscrow).toBeUndefined();
    expect(alarms.map((a) => a.alarm)).toEqual(['routeRefused']);
    sim.insertStacker();
    await run(clock, 600);
    expect(summary(events).at(-1)).toBe('faultCleared:stackerRemoved');
    expect(driver.status().faults).toEqual([]);
    expect(sim.totals.count).toBe(0);
    await until(clock, driver.close());
  });
});
