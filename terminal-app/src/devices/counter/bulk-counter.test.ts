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

const valueOf = (events: DeviceEvent[]) =>
  events.reduce((sum, e) => (e.type === 'credit' ? sum + e.valueMinor * e.count : sum), 0);
const typesOf = (events: DeviceEvent[], ...types: DeviceEvent['type'][]) =>
  events.filter((e) => types.includes(e.type)).map((e) => e.type);

describe('bulk counter: a register that reads lower', () => {
  it('one low read of one register (a mixed pour) is a garbled read: nothing is credited again', async () => {
    const { clock, sim } = newCounter();
    const { driver, events } = await startDriver(clock, sim);
    await until(clock, sim.pour({ coins: 200, coinsPerMinute: 6_000 }), 60_000, 10);
    await run(clock, 600, 10);
    expect(valueOf(events)).toBe(sim.totals.valueMinor);
    const quarter = sim.registers.findIndex((d) => d.ccTalkId === 'US025A');
    sim.misreadRegister(quarter, -1, 1);
    await run(clock, 1_500, 10);
    expect(valueOf(events)).toBe(sim.totals.valueMinor);
    expect(typesOf(events, 'reset', 'lostEvents')).toEqual([]);
    expect(faultsOf(events)).toEqual(['fault:protocolError', 'faultCleared:protocolError']);
    await until(clock, driver.close());
  });

  it('one low read of the only register that counted is not a reset until a second read agrees', async () => {
    const { clock, sim } = newCounter();
    const { driver, events } = await startDriver(clock, sim);
    await until(clock, sim.pour({ coins: 40, coinsPerMinute: 1_200, ccTalkId: 'US025A' }), 60_000, 10);
    await run(clock, 600, 10);
    const quarter = sim.registers.findIndex((d) => d.ccTalkId === 'US025A');
    sim.misreadRegister(quarter, -1, 1);
    await run(clock, 1_500, 10);
    expect(creditedByCoin(events)).toEqual({ US025A: 40 });
    expect(typesOf(events, 'reset', 'lostEvents', 'fault')).toEqual([]);
    await until(clock, driver.close());
  });

  it('registers cleared at the counter (no new log-on) are a reset once two reads agree; later coins count from zero', async () => {
    const { clock, sim } = newCounter();
    const { driver, events } = await startDriver(clock, sim);
    await until(clock, sim.pour({ coins: 30, coinsPerMinute: 6_000, rejectRate: 0.1 }), 60_000, 10);
    await run(clock, 600, 10);
    sim.clearRegisters();
    await run(clock, 600, 10);
    await until(clock, sim.pour({ coins: 20, coinsPerMinute: 6_000, ccTalkId: 'US100A' }), 60_000, 10);
    await run(clock, 600, 10);
    expect(typesOf(events, 'reset', 'lostEvents')).toEqual(['reset']);
    expect(valueOf(events)).toBe(sim.totals.valueMinor);
    expect(driver.status().faults).toEqual([]);
    await until(clock, driver.close());
  });

  it('a low register that reads the same story bulkCounterSuspectReadsMax times is believed, uncredited and held for review', async () => {
    const { clock, sim } = newCounter();
    const { driver, events, alarms } = await startDriver(clock, sim);
    await until(clock, sim.pour({ coins: 100, coinsPerMinute: 6_000 }), 60_000, 10);
    await run(clock, 600, 10);
    const quarter = sim.registers.findIndex((d) => d.ccTalkId === 'US025A');
    sim.misreadRegister(quarter, -3, 1_000);
    await run(clock, limits.bulkCounterPollIntervalMs * (limits.bulkCounterSuspectReadsMax + 2), 10);
    expect(faultsOf(events)).toEqual(['fault:protocolError', 'faultCleared:protocolError']);
    expect(typesOf(events, 'reset', 'lostEvents')).toEqual(['lostEvents']);
    expect(alarms.map((a) => a.alarm)).toEqual(['implausibleCount', 'unknownMoney']);
    // Later coins are counted from the believed register: none lost, none twice.
    const before = valueOf(events);
    await until(clock, sim.pour({ coins: 10, coinsPerMinute: 6_000, ccTalkId: 'US025A' }), 60_000, 10);
    await run(clock, 600, 10);
    expect(valueOf(events) - before).toBe(10 * 25);
    expect(driver.status().faults).toEqual([]);
    await until(clock, driver.close());
  });
});

describe('bulk counter: plausible growth depends on the time since the last read', () => {
  it('coins counted while the line was silent for minutes are credited when it answers again, not held as implausible', async () => {
    const { clock, sim } = newCounter();
    const { driver, events } = await startDriver(clock, sim);
    sim.muted = true;
    await until(
      clock,
      sim.pour({ coins: 8_000, coinsPerMinute: 6_000, ccTalkId: 'US001A' }),
      10 * 60_000,
      50,
    );
    sim.muted = false;
    await run(clock, 1_000, 10);
    expect(creditedByCoin(events)).toEqual({ US001A: 8_000 });
    expect(driver.status().faults).toEqual([]);
    await until(clock, driver.close());
  });
});

describe('bulk counter: counting status', () => {
  it('reports counting while a pour is counted and batch done after it, after every credit of the pour', async () => {
    const { clock, sim } = newCounter();
    const { driver, events } = await startDriver(clock, sim);
    expect(events.filter((e) => e.type === 'counterState')).toEqual([
      { device: 'counter', type: 'counterState', state: 'idle' },
    ]);
    await until(clock, sim.pour({ coins: 120, coinsPerMinute: 1_200, ccTalkId: 'US025A' }), 60_000, 10);
    await run(clock, 600, 10);
    const states = events.flatMap((e) => (e.type === 'counterState' ? [e.state] : []));
    expect(states).toEqual(['idle', 'counting', 'batchDone']);
    const done = events.findIndex((e) => e.type === 'counterState' && e.state === 'batchDone');
    expect(valueOf(events.slice(0, done))).toBe(120 * 25);
    await until(clock, driver.close());
  });
});
