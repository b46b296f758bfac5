import { describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@cashin/shared';
import { FakeClock, defaultLimits } from '@cashin/shared';
import { CoinAcceptor } from '@cashin/terminal-app/devices/coin/coin-acceptor.js';
import { duplexPair } from '@cashin/terminal-app/devices/common/duplex-pair.js';
import { run, until } from '../testing/sim-time.js';
import { CoinAcceptorSim } from './coin-acceptor-sim.js';

const limits = defaultLimits.system;

async function rig(options: { echo?: boolean; baud?: number | undefined } = {}) {
  const clock = new FakeClock();
  const [kioskEnd, deviceEnd] = duplexPair();
  const sim = new CoinAcceptorSim({ currency: 'USD', clock, limits, ...options });
  sim.attach(deviceEnd);
  const driver = new CoinAcceptor({ name: 'coin', currency: 'USD', stream: kioskEnd, clock, limits });
  const events: DeviceEvent[] = [];
  driver.subscribe((event) => events.push(event));
  await until(clock, driver.start());
  return { clock, sim, driver, events, deviceEnd };
}

const ofType = <T extends DeviceEvent['type']>(events: DeviceEvent[], type: T) =>
  events.filter((e): e is Extract<DeviceEvent, { type: T }> => e.type === type);

describe('coin acceptor driver against the simulator (in-memory line)', () => {
  it('identifies the acceptor, maps its coin table and starts inhibited', async () => {
    const { clock, sim, driver, events } = await rig();
    expect([...driver.coinTable.values()].map((d) => d.ccTalkId)).toEqual([
      'US001A',
      'US005A',
      'US010A',
      'US025A',
      'US050A',
      'US100A',
    ]);
    const diagnostics = await until(clock, driver.selfTest());
    expect(diagnostics).toMatchObject({ manufacturer: 'CashinSim', category: 'Coin Acceptor', ok: true });
    expect(diagnostics.serialNumber).toBe('12345678');
    expect(driver.echoDetected).toBe(true);
    expect(driver.status().state).toBe('disabled');
    expect(sim.insert('US025A')).toBe('inhibited');
    await run(clock, 400);
    expect(ofType(events, 'reject')).toEqual([
      {
        device: 'coin',
        type: 'reject',
        reason: 'inhibited',
        count: 1,
        valueMinor: 25,
        ccTalkId: 'US025A',
        // Where the event stood in the device's buffer, journaled so a restart resumes after it.
        eventCounter: expect.any(Number),
      },
    ]);
    await until(clock, driver.close());
  });

  it('accepts only the coins that still fit the deposit', async () => {
    const { clock, sim, driver, events } = await rig();
    expect(await until(clock, driver.setAcceptLimit(30))).toBe(true);
    expect(sim.insert(25)).toBe('accepted');
    expect(sim.insert(50)).toBe('inhibited');
    await run(clock, 400);
    expect(ofType(events, 'credit').map((e) => e.valueMinor)).toEqual([25]);
    expect(ofType(events, 'reject').map((e) => [e.reason, e.valueMinor])).toEqual([['inhibited', 50]]);
    await until(clock, driver.inhibitAll());
    expect(sim.insert(1)).toBe('inhibited');
    await until(clock, driver.close());
  });

  it('polls fast while coins are enabled and at the normal rate while all are inhibited', async () => {
    const { clock, driver, deviceEnd } = await rig();
    const pollRequest = Buffer.from([2, 0, 1, 229]);
    let polls = 0;
    // What the host puts on the line: every read-buffered-credit request to the acceptor is counted.
    deviceEnd.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(pollRequest); at !== -1; at = chunk.indexOf(pollRequest, at + 1))
        polls += 1;
    });
    const spanMs = 2_000;
    await until(clock, driver.setAcceptLimit(1_000));
    polls = 0;
    await run(clock, spanMs);
    const accepting = polls;
    await until(clock, driver.inhibitAll());
    polls = 0;
    await run(clock, spanMs);
    const inhibited = polls;
    expect(accepting).toBeGreaterThanOrEqual(Math.floor(spanMs / limits.ccTalkPollIntervalAcceptingMs) - 1);
    expect(accepting).toBeLessThanOrEqual(Math.ceil(spanMs / limits.ccTalkPollIntervalAcceptingMs) + 1);
    expect(inhibited).toBeLessThanOrEqual(Math.ceil(spanMs / limits.ccTalkPollIntervalMs) + 1);
    expect(inhibited).toBeGreaterThanOrEqual(Math.floor(spanMs / limits.ccTalkPollIntervalMs) - 1);
    await until(clock, driver.close());
  });

  it('works without an echo and notices there is none', async () => {
    const { clock, sim, driver, events } = await rig({ echo: false });
    await until(clock, driver.setAcceptLimit(1_000));
    sim.insert(100);
    await run(clock, 400);
    expect(driver.echoDetected).toBe(false);
    expect(ofType(events, 'credit')).toHaveLength(1);
    await until(clock, driver.close());
  });

  it('reports a jam as a fault and a fraud attempt as a reject, and clears the jam when the self-check passes', async () => {
    const { clock, sim, driver, events } = await rig();
    await until(clock, driver.setAcceptLimit(1_000));
    sim.jam();
    sim.fraud();
    sim.reject();
    await run(clock, 400);
    // A coin on a string is one coin given back, not a broken acceptor: only the jam is a fault.
    expect(ofType(events, 'fault').map((e) => e.fault)).toEqual(['jam']);
    expect(ofType(events, 'reject').map((e) => e.reason)).toEqual(['rejected', 'rejected']);
    expect(driver.status().state).toBe('faulted');
    await run(clock, 2_000);
    expect(ofType(events, 'faultCleared')).toHaveLength(0);
    sim.clearJam();
    await run(clock, 2_000);
    expect(ofType(events, 'faultCleared').map((e) => e.fault)).toEqual(['jam']);
    await until(clock, driver.close());
  });

  it('sees a power cycle, says so, and re-enables the coins it had enabled', async () => {
    const { clock, sim, driver, events } = await rig();
    await until(clock, driver.setAcceptLimit(1_000));
    sim.insert(10);
    await run(clock, 400);
    sim.powerCycle();
    await run(clock, 400);
    expect(ofType(events, 'reset')).toHaveLength(1);
    expect(sim.insert(10)).toBe('accepted');
    await run(clock, 400);
    expect(ofType(events, 'credit')).toHaveLength(2);
    expect(ofType(events, 'lostEvents')).toHaveLength(0);
    await until(clock, driver.close());
  });

  it('survives line noise and a device that stops answering for a while', async () => {
    const { clock, sim, driver, events } = await rig();
    await until(clock, driver.setAcceptLimit(1_000));
    sim.link.writeGarbage(Uint8Array.of(0x01, 0x0b, 0x02, 0x99, 0x42));
    sim.insert(5);
    await run(clock, 400);
    sim.link.muted = true;
    await run(clock, 800);
    expect(ofType(events, 'fault').map((e) => e.fault)).toEqual(['protocolError']);
    sim.link.muted = false;
    sim.insert(5);
    await run(clock, 400);
    expect(ofType(events, 'faultCleared').map((e) => e.fault)).toEqual(['protocolError']);
    expect(ofType(events, 'credit')).toHaveLength(2);
    await until(clock, driver.close());
  });

  it('replies slower than the timeout arrive late but count each coin once', async () => {
    const { clock, sim, driver, events } = await rig();
    await until(clock, driver.setAcceptLimit(1_000));
    sim.link.options.replyLatencyMs = limits.ccTalkReplyTimeoutMs + 20;
    for (let i = 0; i < 12; i += 1) {
      sim.insert(10);
      await run(clock, 150, 10);
    }
    sim.link.options.replyLatencyMs = 2;
    await run(clock, 2_000, 10);
    // A late reply to a timed-out 229 lands in the retry's window: it is the same read, and the event
    // counter makes sure nothing in it is credited twice.
    expect(ofType(events, 'credit')).toHaveLength(12);
    expect(ofType(events, 'lostEvents')).toHaveLength(0);
    await until(clock, driver.close());
  });

  it('the acceptor refuses coins by itself when the host stops polling (credit watchdog)', async () => {
    const { clock, sim, driver, events } = await rig();
    await until(clock, driver.setAcceptLimit(1_000));
    sim.link.muted = true;
    await run(clock, limits.ccTalkDeviceWatchdogMs + 50, 10);
    expect(sim.insert(25)).toBe('watchdogInhibited');
    sim.link.muted = false;
    await run(clock, 400);
    expect(sim.insert(25)).toBe('accepted');
    await run(clock, 400);
    expect(ofType(events, 'credit')).toHaveLength(1);
    expect(ofType(events, 'lostEvents')).toHaveLength(0);
    await until(clock, driver.close());
  });

  it('maps nothing from an acceptor loaded with another currency, so it stays inhibited', async () => {
    const clock = new FakeClock();
    const [kioskEnd, deviceEnd] = duplexPair();
    const sim = new CoinAcceptorSim({ currency: 'MXN', clock, limits });
    sim.attach(deviceEnd);
    const driver = new CoinAcceptor({ name: 'coin', currency: 'USD', stream: kioskEnd, clock, limits });
    await until(clock, driver.start());
    expect(driver.coinTable.size).toBe(0);
    await until(clock, driver.setAcceptLimit(100_000));
    expect(sim.insert('MX010A')).toBe('inhibited');
    await until(clock, driver.close());
  });

  it('10,000 coins at the fastest reportable rate: each reported once; dropped events reported as lost', async () => {
    // Paced as fast as pipes go (no baud delay) so simulated time advances in big steps; the line-rate
    // limit is the bench's business. The driver polls at its accepting interval all the same.
    const { clock, sim, driver, events } = await rig({ baud: undefined });
    await until(clock, driver.setAcceptLimit(1_000_000));
    const coinsPerPoll = limits.ccTalkEventBufferSize;
    const coinEveryMs = limits.ccTalkPollIntervalAcceptingMs / coinsPerPoll;
    const ids = ['US001A', 'US005A', 'US010A', 'US025A', 'US050A', 'US100A'];
    for (let i = 0; i < 10_000; i += 1) {
      expect(sim.insert(ids[i % ids.length] ?? 'US025A')).toBe('accepted');
      await run(clock, coinEveryMs, coinEveryMs);
    }
    await run(clock, 1_000, 20);
    const credits = ofType(events, 'credit');
    expect(ofType(events, 'lostEvents')).toEqual([]);
    expect(credits.length).toBe(10_000);
    expect(credits.length).toBe(sim.totals.count);
    expect(credits.reduce((sum, e) => sum + e.valueMinor, 0)).toBe(sim.totals.valueMinor);

    sim.dropEvents(7, 'US025A');
    await run(clock, 1_000, 20);
    expect(ofType(events, 'lostEvents').map((e) => e.count)).toEqual([7]);
    const creditsAfter = ofType(events, 'credit').length;
    expect(creditsAfter + 7).toBe(sim.totals.count);
    await until(clock, driver.close());
  });
});
