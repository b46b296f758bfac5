import { describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@cashin/shared';
import { FakeClock, defaultLimits } from '@cashin/shared';
import { CoinAcceptorSim } from '@cashin/hardware-sim';
import type { EventCounterBaseline } from '../cctalk/event-counter.js';
import { eventCounterOf } from '../cctalk/event-counter.js';
import { ccTalkHeaders } from '../cctalk/headers.js';
import type { DeviceAlarm } from '../common/driver.js';
import type { HostFrame } from '../testing/lossy-line.js';
import { lossyLine } from '../testing/lossy-line.js';
import { run, until } from '@cashin/hardware-sim/testing';
import { CoinAcceptor } from './coin-acceptor.js';

// The coin acceptor driver against the simulated acceptor over an in-memory line that can lose the host's
// frames, as noise on a real bus does.
const limits = defaultLimits.system;
/** One request as the host sends it: the first try and every retry after a timeout. */
const framesPerRequest = limits.ccTalkRetriesMax + 1;

/**
 * 229 error codes from the ccTalk table in the reference notes, written out here rather than taken from the
 * driver's own table, so the test checks the driver against the notes.
 */
const coinError = {
  coinTooFast: 18,
  coinOnString: 20,
  rejectSlug: 25,
  swallowedCoin: 36,
  externalLightAttack: 40,
} as const;

const ofType = <T extends DeviceEvent['type']>(events: DeviceEvent[], type: T) =>
  events.filter((e): e is Extract<DeviceEvent, { type: T }> => e.type === type);

/** A line to `sim` that loses the host's frames with `header` while `loss.frames` says so. */
function lineTo(sim: CoinAcceptorSim, loss: { header: number; frames: number }) {
  const { kioskEnd, deviceEnd } = lossyLine((frame: HostFrame) => {
    if (frame.header !== loss.header || loss.frames <= 0) return false;
    loss.frames -= 1;
    return true;
  });
  sim.attach(deviceEnd);
  return kioskEnd;
}

async function startDriver(
  clock: FakeClock,
  sim: CoinAcceptorSim,
  loss: { header: number; frames: number },
  eventCounterBaseline?: EventCounterBaseline,
) {
  const alarms: DeviceAlarm[] = [];
  const driver = new CoinAcceptor({
    name: 'coin',
    currency: 'USD',
    stream: lineTo(sim, loss),
    clock,
    limits,
    eventCounterBaseline,
    onAlarm: (alarm) => alarms.push(alarm),
  });
  const events: DeviceEvent[] = [];
  driver.subscribe((event) => events.push(event));
  await until(clock, driver.start());
  return { driver, events, alarms };
}

async function rig(loss = { header: 0, frames: 0 }) {
  const clock = new FakeClock();
  const sim = new CoinAcceptorSim({ currency: 'USD', clock, limits, baud: undefined });
  return { clock, sim, loss, ...(await startDriver(clock, sim, loss)) };
}

const faultsOf = (events: DeviceEvent[]) =>
  events.flatMap((e) => (e.type === 'fault' || e.type === 'faultCleared' ? [`${e.type}:${e.fault}`] : []));

describe('coin acceptor: one-off alarms are rejects, faults are what a technician must clear', () => {
  it('a coin refused as a fraud attempt (on a string, too fast, a slug, a light attack) is a reject and an alarm, never a fault', async () => {
    const { clock, sim, driver, events, alarms } = await rig();
    await until(clock, driver.setAcceptLimit(1_000));
    const codes = [
      coinError.coinOnString,
      coinError.coinTooFast,
      coinError.rejectSlug,
      coinError.externalLightAttack,
    ];
    for (const code of codes) sim.fraud(code);
    await run(clock, 200);
    expect(ofType(events, 'reject').map((e) => e.reason)).toEqual(codes.map(() => 'rejected'));
    expect(faultsOf(events)).toEqual([]);
    expect(driver.status().state).toBe('ok');
    expect(alarms.map((a) => a.alarm)).toEqual(codes.map(() => 'fraudAttempt'));
    // The kiosk still takes coins.
    expect(sim.insert(25)).toBe('accepted');
    await run(clock, 200);
    expect(ofType(events, 'credit').map((e) => e.valueMinor)).toEqual([25]);
    await until(clock, driver.close());
  });

  it('a coin accepted on a channel with no denomination, or swallowed, is money of unknown value: lost events, not a reject', async () => {
    const { clock, sim, driver, events, alarms } = await rig();
    await until(clock, driver.setAcceptLimit(1_000));
    const unmapped = 16;
    expect(driver.coinTable.has(unmapped)).toBe(false);
    sim.pushEvent(unmapped, 1);
    sim.pushEvent(0, coinError.swallowedCoin);
    await run(clock, 200);
    expect(ofType(events, 'lostEvents')).toEqual([
      { device: 'coin', type: 'lostEvents', count: 1, eventCounter: expect.any(Number) },
      { device: 'coin', type: 'lostEvents', count: 1, eventCounter: expect.any(Number) },
    ]);
    expect(ofType(events, 'reject')).toEqual([]);
    expect(faultsOf(events)).toEqual([]);
    expect(alarms.map((a) => a.alarm)).toEqual(['unknownMoney', 'unknownMoney']);
    await until(clock, driver.close());
  });
});

describe('coin acceptor: inhibit commands', () => {
  it('an inhibit command lost on the line is sent again: no fault, and the coins it enabled are taken', async () => {
    const { clock, sim, loss, driver, events } = await rig();
    loss.header = ccTalkHeaders.modifyInhibitStatus;
    loss.frames = framesPerRequest;
    expect(await until(clock, driver.setAcceptLimit(1_000))).toBe(true);
    expect(loss.frames).toBe(0);
    expect(sim.insert(25)).toBe('accepted');
    await run(clock, 200);
    expect(faultsOf(events)).toEqual([]);
    expect(driver.status().faults).toEqual([]);
    expect(ofType(events, 'credit')).toHaveLength(1);
    await until(clock, driver.close());
  });

  it('an inhibit update the device never takes is one fault, sent again while polls go on, and cleared as soon as one is taken', async () => {
    const { clock, sim, loss, driver, events } = await rig();
    loss.header = ccTalkHeaders.modifyInhibitStatus;
    loss.frames = Number.POSITIVE_INFINITY;
    expect(await until(clock, driver.setAcceptLimit(1_000))).toBe(false);
    // The polls themselves are answered all along: that alone must not clear the fault.
    await run(clock, 3_000, 5);
    expect(faultsOf(events)).toEqual(['fault:protocolError']);
    expect(driver.status().state).toBe('faulted');
    expect(sim.insert(25)).not.toBe('accepted');
    loss.frames = 0;
    await run(clock, 3_000, 5);
    expect(faultsOf(events)).toEqual(['fault:protocolError', 'faultCleared:protocolError']);
    expect(driver.status().faults).toEqual([]);
    expect(sim.insert(25)).toBe('accepted');
    await until(clock, driver.close());
  });

  it('a self-test says, as faults the screens translate, whether the acceptor passed, failed or stayed silent', async () => {
    const { clock, sim, loss, driver } = await rig();
    expect(await until(clock, driver.selfTest())).toMatchObject({ ok: true, answered: true, faults: [] });
    sim.jam();
    const jammed = await until(clock, driver.selfTest());
    expect(jammed).toMatchObject({ ok: false, answered: true, faults: ['selfCheckFailed'] });
    expect(jammed.selfCheckFaultCode).toBeGreaterThan(0);
    sim.clearJam();
    // Every try of the self-check is lost on the line: the acceptor never answers it.
    loss.header = ccTalkHeaders.performSelfCheck;
    loss.frames = framesPerRequest;
    expect(await until(clock, driver.selfTest())).toMatchObject({ ok: false, answered: false, faults: [] });
    await until(clock, driver.close());
  });
});

describe('coin acceptor: resuming from the journal', () => {
  /**
   * A first run takes a coin (its counter is what the journal keeps), then two more coins go in that it
   * never polls before it stops, as in a crash: they wait in the acceptor's buffer.
   */
  async function crashWithCoinsBuffered() {
    const clock = new FakeClock();
    const sim = new CoinAcceptorSim({ currency: 'USD', clock, limits, baud: undefined });
    const first = await startDriver(clock, sim, { header: 0, frames: 0 });
    await until(clock, first.driver.setAcceptLimit(10_000));
    sim.insert(25);
    await run(clock, 200);
    const journaledEvent = ofType(first.events, 'credit').at(-1);
    const counter = journaledEvent ? eventCounterOf(journaledEvent) : undefined;
    if (counter === undefined) throw new Error('the first coin carried no event counter');
    const journaled: EventCounterBaseline = { counter, serial: first.driver.serialNumber };
    expect(sim.insert(100)).toBe('accepted');
    expect(sim.insert(10)).toBe('accepted');
    await until(clock, first.driver.close());
    expect(ofType(first.events, 'credit').map((e) => e.valueMinor)).toEqual([25]);
    return { clock, sim, journaled };
  }

  it('a serial number read that fails is asked again, so the journal counter is kept and the buffered coins are reported', async () => {
    const { clock, sim, journaled } = await crashWithCoinsBuffered();
    // The whole first request for the serial number (and the host's retries of it) is lost.
    const loss = { header: ccTalkHeaders.requestSerialNumber, frames: framesPerRequest };
    const second = await startDriver(clock, sim, loss, journaled);
    expect(ofType(second.events, 'credit').map((e) => e.valueMinor)).toEqual([100, 10]);
    expect(ofType(second.events, 'lostEvents')).toEqual([]);
    expect(loss.frames).toBe(0);
    expect(second.driver.serialNumber).toBe(journaled.serial);
    await until(clock, second.driver.close());
  });

  it('an acceptor that never says its serial number is not taken for a new one: its buffered coins are reported and flagged as lost events for review', async () => {
    const { clock, sim, journaled } = await crashWithCoinsBuffered();
    const loss = { header: ccTalkHeaders.requestSerialNumber, frames: Number.POSITIVE_INFINITY };
    const second = await startDriver(clock, sim, loss, journaled);
    const money = second.events.filter((e) => e.type === 'credit' || e.type === 'lostEvents');
    expect(money.map((e) => (e.type === 'credit' ? e.valueMinor : `lost ${e.count}`))).toEqual([
      'lost 2',
      100,
      10,
    ]);
    expect(second.driver.serialNumber).toBeNull();
    expect(second.driver.startCounter).toBe(journaled.counter);
    // The agent must not journal this start as a new device's (it would overwrite the serial number).
    expect(second.driver.resumedFromJournal).toBe(true);
    expect(second.alarms.map((a) => a.alarm)).toEqual(['identityUnconfirmed']);
    await until(clock, second.driver.close());
  });

  it('an acceptor whose serial number differs from the journal one is another device: it starts from its own counter', async () => {
    const { clock, sim, journaled } = await crashWithCoinsBuffered();
    const other: EventCounterBaseline = { counter: journaled.counter, serial: '87654321' };
    const second = await startDriver(clock, sim, { header: 0, frames: 0 }, other);
    expect(second.driver.resumedFromJournal).toBe(false);
    expect(second.events.filter((e) => e.type === 'credit' || e.type === 'lostEvents')).toEqual([]);
    await until(clock, second.driver.close());
  });
});
