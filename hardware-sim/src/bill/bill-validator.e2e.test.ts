import { describe, expect, it } from 'vitest';
import type { Denomination, DeviceEvent } from '@cashin/shared';
import { FakeClock, defaultLimits } from '@cashin/shared';
import { BillValidator } from '@cashin/terminal-app/devices/bill/bill-validator.js';
import { duplexPair } from '@cashin/terminal-app/devices/common/duplex-pair.js';
import { run, until } from '../testing/sim-time.js';
import { BillValidatorSim } from './bill-validator-sim.js';

const limits = defaultLimits.system;

async function rig(decideEscrow?: (bill: Denomination) => boolean) {
  const clock = new FakeClock();
  const [kioskEnd, deviceEnd] = duplexPair();
  const sim = new BillValidatorSim({ currency: 'USD', clock, limits, stackerCapacity: 3 });
  sim.attach(deviceEnd);
  const driver = new BillValidator({
    name: 'bill',
    currency: 'USD',
    stream: kioskEnd,
    clock,
    limits,
    ...(decideEscrow ? { decideEscrow } : {}),
  });
  const events: DeviceEvent[] = [];
  driver.subscribe((event) => events.push(event));
  await until(clock, driver.start());
  return { clock, sim, driver, events };
}

const types = (events: DeviceEvent[]) =>
  events
    .filter((e) => e.type !== 'connected')
    .map((e) =>
      e.type === 'fault' || e.type === 'faultCleared'
        ? `${e.type}:${e.fault}`
        : e.type === 'reject'
          ? `reject:${e.reason}:${e.valueMinor ?? ''}`
          : 'valueMinor' in e
            ? `${e.type}:${e.valueMinor}`
            : e.type,
    );

describe('bill validator driver against the simulator (CRC-16, in-memory line)', () => {
  it('reads the bill table and stacks a bill that fits, returns one that does not', async () => {
    const { clock, sim, driver, events } = await rig();
    expect([...driver.billTable.values()].map((b) => b.ccTalkId)).toContain('US0020A');
    await until(clock, driver.setAcceptLimit(2_500));
    expect(sim.insert('US0020A')).toBe('escrowed');
    await run(clock, 600);
    expect(sim.insert(1_000)).toBe('escrowed');
    await until(clock, driver.setAcceptLimit(500));
    await run(clock, 600);
    expect(types(events)).toEqual([
      'escrow:2000',
      'credit:2000',
      'escrow:1000',
      'reject:returnedFromEscrow:1000',
    ]);
    expect(sim.totals.valueMinor).toBe(2_000);
    await until(clock, driver.close());
  });

  it('asks the deposit what to do with an escrowed bill', async () => {
    const asked: number[] = [];
    const { clock, sim, driver, events } = await rig((bill) => {
      asked.push(bill.valueMinor);
      return false;
    });
    await until(clock, driver.setAcceptLimit(100_000));
    sim.insert(5_000);
    await run(clock, 600);
    expect(asked).toEqual([5_000]);
    expect(types(events)).toEqual(['escrow:5000', 'reject:returnedFromEscrow:5000']);
    expect(sim.totals.count).toBe(0);
    await until(clock, driver.close());
  });

  it('reports stacker full, removed, inserted and jams as faults', async () => {
    const { clock, sim, driver, events } = await rig();
    await until(clock, driver.setAcceptLimit(100_000));
    for (const value of [100, 100, 100]) {
      sim.insert(value);
      await run(clock, 600);
    }
    expect(sim.insert(100)).toBe('stackerProblem');
    sim.removeStacker();
    await run(clock, 400);
    sim.emptyStacker();
    sim.insertStacker();
    sim.jam();
    await run(clock, 400);
    sim.clearJam();
    await run(clock, 2_000);
    expect(types(events).filter((t) => t.startsWith('fault'))).toEqual([
      'fault:stackerFull',
      'fault:stackerRemoved',
      'faultCleared:stackerFull',
      'faultCleared:stackerRemoved',
      'fault:jam',
      'faultCleared:jam',
    ]);
    expect(driver.status().state).toBe('ok');
    await until(clock, driver.close());
  });

  it('a bill the host never routes comes back by itself', async () => {
    const { clock, sim, driver, events } = await rig();
    await until(clock, driver.setAcceptLimit(100_000));
    sim.link.muted = true;
    sim.insert(2_000);
    await run(clock, limits.billEscrowTimeoutMs + 10, 10);
    sim.link.muted = false;
    await run(clock, 600);
    expect(types(events)).toEqual([
      'fault:protocolError',
      'faultCleared:protocolError',
      'escrow:2000',
      'reject:returnedFromEscrow:2000',
    ]);
    expect(sim.totals.count).toBe(0);
    await until(clock, driver.close());
  });
});
