import { describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@cashin/shared';
import { FakeClock, defaultLimits } from '@cashin/shared';
import { BulkCounterSim, seededRandom } from '@cashin/hardware-sim';
import { duplexPair } from '../common/duplex-pair.js';
import type { DeviceAlarm } from '../common/driver.js';
import { run, until } from '@cashin/hardware-sim/testing';
import { BulkCounter } from './bulk-counter.js';
import type { CounterRegisters } from './counter-registers.js';
import { counterRegistersOf } from './counter-registers.js';

// The bulk coin counter driver against the simulated Scan Coin style counter over an in-memory line.
const limits = defaultLimits.system;

async function startDriver(clock: FakeClock, sim: BulkCounterSim, registersBaseline?: CounterRegisters) {
  const [kioskEnd, deviceEnd] = duplexPair();
  sim.attach(deviceEnd);
  const alarms: DeviceAlarm[] = [];
  const driver = new BulkCounter({
    name: 'counter',
    currency: 'USD',
    stream: kioskEnd,
    clock,
    limits,
    registersBaseline,
    onAlarm: (alarm) => alarms.push(alarm),
  });
  const events: DeviceEvent[] = [];
  driver.subscribe((event) => events.push(event));
  await until(clock, driver.start(), 10_000);
  return { driver, events, alarms };
}

function newCounter() {
  const clock = new FakeClock();
  const sim = new BulkCounterSim({ currency: 'USD', clock, baud: 9600, random: seededRandom(11) });
  return { clock, sim };
}

/** Coins credited per denomination, as `{ US025A: 12, ... }`. */
function creditedByCoin(events: DeviceEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) if (e.type === 'credit') counts[e.ccTalkId] = (counts[e.ccTalkId] ?? 0) + e.count;
  return counts;
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [id, n] of Object.entries(after))
    if (n - (before[id] ?? 0) > 0) counts[id] = n - (before[id] ?? 0);
  return counts;
}

const faultsOf = (events: DeviceEvent[]) =>
  events.flatMap((e) => (e.type === 'fault' || e.type === 'faultCleared' ? [`${e.type}:${e.fault}`] : []));

describe('bulk counter: resuming from the journal registers', () => {
  it('coins poured while the agent was down are reported at start, from the registers the journal kept', async () => {
    const { clock, sim } = newCounter();
    const first = await startDriver(clock, sim);
    await until(clock, sim.pour({ coins: 30, coinsPerMinute: 6_000, rejectRate: 0.1 }), 60_000, 10);
    await run(clock, 600, 10);
    const credited = creditedByCoin(first.events);
    expect(Object.values(credited).reduce((a, b) => a + b, 0)).toBe(sim.totals.count);
    // What the journal keeps: the registers stamped on the last event it wrote.
    const journaled = first.events
      .map(counterRegistersOf)
      .filter((r) => r !== undefined)
      .at(-1);
    expect(journaled).toBeDefined();
    await until(clock, first.driver.close());

    // The agent is down; the counter cannot be inhibited and keeps counting what is poured.
    const countedBefore = { ...sim.totals.byCcTalkId };
    const rejectedBefore = sim.totals.rejected;
    await until(clock, sim.pour({ coins: 40, coinsPerMinute: 1_200, rejectRate: 0.1 }), 60_000, 10);

    const second = await startDriver(clock, sim, journaled);
    expect(second.driver.resumedFromJournal).toBe(true);
    expect(creditedByCoin(second.events)).toEqual(difference(sim.totals.byCcTalkId, countedBefore));
    const rejects = second.events.reduce((n, e) => (e.type === 'reject' ? n + e.count : n), 0);
    expect(rejects).toBe(sim.totals.rejected - rejectedBefore);
    // Each carries the registers right after it, so the journal moves on with it.
    const last = second.events
      .map(counterRegistersOf)
      .filter((r) => r !== undefined)
      .at(-1);
    expect(last?.counts.reduce((n, r) => n + r.count, 0)).toBe(sim.totals.count);
    expect(second.events.map((e) => e.type).filter((t) => t === 'lostEvents' || t === 'reset')).toEqual([]);
    await until(clock, second.driver.close());
  });

  it('registers journaled for another register table are not used: it counts from its own and holds the deposit for review', async () => {
    const { clock, sim } = newCounter();
    await until(clock, sim.pour({ coins: 20, coinsPerMinute: 6_000 }), 60_000, 10);
    const foreign: CounterRegisters = {
      counts: [{ register: 0, ccTalkId: 'MX100A', count: 3 }],
      rejects: 0,
      atMs: clock.nowMs(),
    };
    const driver = await startDriver(clock, sim, foreign);
    expect(driver.driver.resumedFromJournal).toBe(false);
    expect(driver.events.filter((e) => e.type === 'credit')).toEqual([]);
    expect(driver.events.filter((e) => e.type === 'lostEvents')).toMatchObject([{ count: 1 }]);
    await until(clock, driver.driver.close());
  });
});

describe('bulk counter: an implausible count', () => {
  it('a garbled register read is held back as one fault, cleared by the next good read, and nothing is lost or counted twice', async () => {
    const { clock, sim } = newCounter();
    const { driver, events, alarms } = await startDriver(clock, sim);
    const quarter = sim.registers.findIndex((d) => d.ccTalkId === 'US025A');
    await until(clock, sim.pour({ coins: 10, coinsPerMinute: 6_000, ccTalkId: 'US025A' }), 60_000, 10);
    await run(clock, 600, 10);
    sim.misreadRegister(quarter, 1_000_000, 3);
    await until(clock, sim.pour({ coins: 10, coinsPerMinute: 6_000, ccTalkId: 'US025A' }), 60_000, 10);
    await run(clock, 1_500, 10);
    expect(faultsOf(events)).toEqual(['fault:protocolError', 'faultCleared:protocolError']);
    expect(driver.status().faults).toEqual([]);
    expect(alarms.map((a) => a.alarm)).toEqual(['implausibleCount']);
    expect(creditedByCoin(events)).toEqual({ US025A: 20 });
    await until(clock, driver.close());
  });
});

describe('bulk counter: self-test', () => {
  it('an open door fails the self-test as the doorOpen fault the screens translate', async () => {
    const { clock, sim } = newCounter();
    const { driver } = await startDriver(clock, sim);
    expect(await until(clock, driver.selfTest())).toMatchObject({ ok: true, answered: true, faults: [] });
    sim.doorOpen = true;
    expect(await until(clock, driver.selfTest())).toMatchObject({
      ok: false,
      answered: true,
      faults: ['doorOpen'],
    });
    await until(clock, driver.close());
  });
});
