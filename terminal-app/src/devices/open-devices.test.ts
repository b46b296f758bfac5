import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DeviceConfig, DeviceEvent } from '@cashin/shared';
import { FakeClock, defaultLimits } from '@cashin/shared';
import { BulkCounterSim, CoinAcceptorSim, seededRandom } from '@cashin/hardware-sim';
import { ccTalkHeaders } from './cctalk/headers.js';
import { duplexPair } from './common/duplex-pair.js';
import type { CounterRegisters } from './counter/counter-registers.js';
import { counterRegistersOf } from './counter/counter-registers.js';
import type { KioskDevices } from './open-devices.js';
import { openDevices } from './open-devices.js';
import { lossyLine } from './testing/lossy-line.js';
import { run, until } from '@cashin/hardware-sim/testing';

// openDevices over in-memory lines to the simulated devices: what the kiosk hears before and after the
// deposit runner starts listening.
const limits = defaultLimits.system;
const counterConfig: DeviceConfig = {
  name: 'counter',
  kind: 'bulkCounter',
  url: 'tcp://127.0.0.1:7003',
  currency: 'USD',
};
const coinConfig: DeviceConfig = {
  name: 'coin',
  kind: 'coinAcceptor',
  url: 'tcp://127.0.0.1:7001',
  currency: 'USD',
};

const coinsCredited = (events: DeviceEvent[]) =>
  events.reduce((n, e) => (e.type === 'credit' ? n + e.count : n), 0);

async function openCounter(clock: FakeClock, sim: BulkCounterSim, journaled?: CounterRegisters) {
  const [kioskEnd, deviceEnd] = duplexPair();
  sim.attach(deviceEnd);
  return until(
    clock,
    openDevices({
      devices: [counterConfig],
      clock,
      limits,
      open: () => Promise.resolve(kioskEnd),
      counterRegisters: (device) => (device === counterConfig.name ? journaled : undefined),
    }),
    10_000,
  );
}

describe('openDevices: nothing said before the runner listens is lost', () => {
  it('the bulk counter resumes from the journal registers, and coins it counts before anyone listens are held for the first listener', async () => {
    const clock = new FakeClock();
    const sim = new BulkCounterSim({ currency: 'USD', clock, baud: 9600, random: seededRandom(5) });
    // A first run of the kiosk, whose journal keeps the registers stamped on the counter's last event.
    const first = await openCounter(clock, sim);
    const firstEvents: DeviceEvent[] = [];
    first.subscribe((event) => firstEvents.push(event));
    await until(clock, sim.pour({ coins: 25, coinsPerMinute: 6_000 }), 60_000, 10);
    await run(clock, 600, 10);
    const journaled = firstEvents
      .map(counterRegistersOf)
      .filter((r) => r !== undefined)
      .at(-1);
    await until(clock, first.close());
    expect(coinsCredited(firstEvents)).toBe(25);

    // Down: the counter keeps counting. Then the kiosk opens its devices and, before the runner
    // subscribes, more coins are poured.
    await until(clock, sim.pour({ coins: 30, coinsPerMinute: 6_000 }), 60_000, 10);
    const second: KioskDevices = await openCounter(clock, sim, journaled);
    await until(clock, sim.pour({ coins: 15, coinsPerMinute: 6_000 }), 60_000, 10);
    await run(clock, 600, 10);
    const heard: DeviceEvent[] = [];
    second.subscribe((event) => heard.push(event));
    expect(heard[0]).toEqual({ device: 'counter', type: 'connected' });
    expect(coinsCredited(heard)).toBe(30 + 15);
    expect(coinsCredited(firstEvents) + coinsCredited(heard)).toBe(sim.totals.count);
    expect(heard.filter((e) => e.type === 'lostEvents')).toEqual([]);
    await until(clock, second.close());
  });

  it('a fault raised while an acceptor starts (its inhibits not taken) is reported once the runner listens, and cleared when they are', async () => {
    const clock = new FakeClock();
    const sim = new CoinAcceptorSim({ currency: 'USD', clock, limits, baud: undefined });
    let losing = true;
    const { kioskEnd, deviceEnd } = lossyLine(
      (frame) => losing && frame.header === ccTalkHeaders.modifyInhibitStatus,
    );
    sim.attach(deviceEnd);
    const opened = await until(
      clock,
      openDevices({ devices: [coinConfig], clock, limits, open: () => Promise.resolve(kioskEnd as Duplex) }),
      30_000,
    );
    expect(opened.failed).toEqual([]);
    await run(clock, 100);
    const heard: DeviceEvent[] = [];
    opened.subscribe((event) => heard.push(event));
    expect(heard).toContainEqual({
      device: 'coin',
      type: 'fault',
      fault: 'protocolError',
      detail: expect.any(String),
    });
    losing = false;
    await run(clock, 3_000, 5);
    expect(heard.filter((e) => e.type === 'fault' || e.type === 'faultCleared').map((e) => e.type)).toEqual([
      'fault',
      'faultCleared',
    ]);
    await until(clock, opened.close());
  });
});
