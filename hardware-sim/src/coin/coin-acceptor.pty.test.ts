import { afterEach, describe, expect, it } from 'vitest';
import { defaultLimits, realClock } from '@cashin/shared';
import { CoinAcceptor } from '@cashin/terminal-app/devices/coin/coin-acceptor.js';
import { waitForEvents } from '../testing/wait-for-event.js';
import type { PtySerial } from '../testing/pty-serial.js';
import { openPtySerial } from '../testing/pty-serial.js';
import { CoinAcceptorSim } from './coin-acceptor-sim.js';

const limits = defaultLimits.system;

describe('coin acceptor over a socat pty pair through the real serialport binding', () => {
  let pty: PtySerial | undefined;
  afterEach(async () => {
    await pty?.close();
  });

  it('credits every coin the simulator accepted, with echo and 9600-baud timing', async () => {
    pty = await openPtySerial();
    const { simEnd, kioskEnd } = pty;
    const clock = realClock();
    const sim = new CoinAcceptorSim({ currency: 'USD', clock, limits, echo: true });
    sim.attach(simEnd);
    const driver = new CoinAcceptor({ name: 'coin', currency: 'USD', stream: kioskEnd, clock, limits });
    await driver.start();
    pty.defer(() => driver.close());
    expect(driver.coinTable.size).toBe(6);
    expect(driver.echoDetected).toBe(true);
    expect(await driver.setAcceptLimit(500)).toBe(true);

    const credits = waitForEvents(
      (l) => driver.subscribe(l),
      (e) => e.type === 'credit',
      4,
    );
    for (const coin of ['US025A', 'US100A', 'US005A', 'US025A']) expect(sim.insert(coin)).toBe('accepted');
    const credited = await credits;
    expect(credited.map((e) => (e.type === 'credit' ? e.valueMinor : 0))).toEqual([25, 100, 5, 25]);
    expect(sim.totals.valueMinor).toBe(155);

    const reset = waitForEvents(
      (l) => driver.subscribe(l),
      (e) => e.type === 'reset',
    );
    sim.powerCycle();
    await reset;
    const after = waitForEvents(
      (l) => driver.subscribe(l),
      (e) => e.type === 'credit',
    );
    // After the reset the driver re-sends the inhibits; the coin goes in once that reached the device.
    await sim.whenAccepting();
    sim.insert('US010A');
    await after;
    expect(sim.totals.count).toBe(5);
  });
});
