import { describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@cashin/shared';
import { FakeClock, defaultLimits } from '@cashin/shared';
import { duplexPair } from '@cashin/terminal-app/devices/common/duplex-pair.js';
import { BulkCounter } from '@cashin/terminal-app/devices/counter/bulk-counter.js';
import { run, until } from '../testing/sim-time.js';
import { BulkCounterSim, seededRandom } from './bulk-counter-sim.js';

const limits = defaultLimits.system;

async function rig(seed = 7) {
  const clock = new FakeClock();
  const [kioskEnd, deviceEnd] = duplexPair();
  const sim = new BulkCounterSim({ currency: 'USD', clock, baud: 9600, random: seededRandom(seed) });
  sim.attach(deviceEnd);
  const driver = new BulkCounter({ name: 'counter', currency: 'USD', stream: kioskEnd, clock, limits });
  const events: DeviceEvent[] = [];
  driver.subscribe((event) => events.push(event));
  await until(clock, driver.start(), 10_000);
  return { clock, sim, driver, events };
}

const credited = (events: DeviceEvent[]) =>
  events.reduce(
    (sum, e) =>
      e.type === 'credit'
        ? { count: sum.count + e.count, valueMinor: sum.valueMinor + e.count * e.valueMinor }
        : sum,
    { count: 0, valueMinor: 0 },
  );

describe('bulk coin counter driver against the simulator', () => {
  it.each([300, 1_200, 6_000])(
    'a pour of 800 coins at %i coins/min is credited exactly, rejects apart',
    async (cpm) => {
      const { clock, sim, driver, events } = await rig();
      expect([...driver.registerTable.values()].map((d) => d.ccTalkId)).toEqual([
        'US001A',
        'US005A',
        'US010A',
        'US025A',
        'US050A',
        'US100A',
      ]);
      const poured = sim.pour({ coins: 800, coinsPerMinute: cpm, rejectRate: 0.03 });
      await until(clock, poured, 10 * 60_000, 10);
      await run(clock, 1_000, 10);
      expect(credited(events)).toEqual({ count: sim.totals.count, valueMinor: sim.totals.valueMinor });
      const rejects = events.reduce((n, e) => (e.type === 'reject' ? n + e.count : n), 0);
      expect(rejects).toBe(sim.totals.rejected);
      expect(sim.totals.count + sim.totals.rejected).toBe(800);
      expect(driver.status().detail).toContain('batch done');
      await until(clock, driver.close());
    },
  );

  it('reports the door, and a register reset without counting anything twice', async () => {
    const { clock, sim, driver, events } = await rig();
    await until(clock, sim.pour({ coins: 50, coinsPerMinute: 6_000, ccTalkId: 'US025A' }), 60_000, 10);
    await run(clock, 600, 10);
    sim.doorOpen = true;
    await run(clock, 600, 10);
    expect(driver.status().faults).toEqual(['doorOpen']);
    sim.doorOpen = false;
    sim.powerCycle();
    await run(clock, 600, 10);
    expect(events.filter((e) => e.type === 'reset')).toHaveLength(1);
    await until(clock, sim.pour({ coins: 20, coinsPerMinute: 6_000, ccTalkId: 'US100A' }), 60_000, 10);
    await run(clock, 600, 10);
    await until(clock, driver.close());
    expect(credited(events)).toEqual({ count: 70, valueMinor: 50 * 25 + 20 * 100 });
    expect(events.filter((e) => e.type === 'fault').map((e) => (e.type === 'fault' ? e.fault : ''))).toEqual([
      'doorOpen',
    ]);
  });
});
