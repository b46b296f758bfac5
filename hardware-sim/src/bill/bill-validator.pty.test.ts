import { afterEach, describe, expect, it } from 'vitest';
import { defaultLimits, realClock } from '@cashin/shared';
import { BillValidator } from '@cashin/terminal-app/devices/bill/bill-validator.js';
import { waitForEvents } from '../testing/wait-for-event.js';
import type { PtySerial } from '../testing/pty-serial.js';
import { openPtySerial } from '../testing/pty-serial.js';
import { BillValidatorSim } from './bill-validator-sim.js';

const limits = defaultLimits.system;

describe('bill validator over a socat pty pair (CRC-16, echo, real serialport binding)', () => {
  let pty: PtySerial | undefined;
  afterEach(async () => {
    await pty?.close();
  });

  it('stacks a bill that fits and returns one that does not', async () => {
    pty = await openPtySerial();
    const { simEnd, kioskEnd } = pty;
    const clock = realClock();
    const sim = new BillValidatorSim({ currency: 'USD', clock, limits });
    sim.attach(simEnd);
    // The deposit's answer for each escrowed bill; the second bill comes when the deposit is nearly full.
    let roomMinor = 2_000;
    const driver = new BillValidator({
      name: 'bill',
      currency: 'USD',
      stream: kioskEnd,
      clock,
      limits,
      decideEscrow: (bill) => bill.valueMinor <= roomMinor,
    });
    await driver.start();
    pty.defer(() => driver.close());
    expect(await driver.setAcceptLimit(2_000)).toBe(true);

    const stacked = waitForEvents(
      (l) => driver.subscribe(l),
      (e) => e.type === 'credit',
    );
    expect(sim.insert('US0020A')).toBe('escrowed');
    expect(await stacked).toMatchObject([{ type: 'credit', kind: 'bill', valueMinor: 2_000 }]);

    roomMinor = 0;
    const returned = waitForEvents(
      (l) => driver.subscribe(l),
      (e) => e.type === 'reject',
    );
    expect(sim.insert('US0010A')).toBe('escrowed');
    expect(await returned).toMatchObject([
      { type: 'reject', reason: 'returnedFromEscrow', valueMinor: 1_000 },
    ]);
    expect(sim.totals).toMatchObject({ count: 1, valueMinor: 2_000 });
  });
});
