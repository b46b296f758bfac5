import { afterEach, describe, expect, it } from 'vitest';
import { defaultLimits, realClock } from '@cashin/shared';
import { BillValidator } from '@cashin/terminal-app/devices/bill/bill-validator.js';
import { parseDeviceUrl } from '@cashin/terminal-app/ports/device-url.js';
import { openStream } from '@cashin/terminal-app/ports/open-stream.js';
import { waitForEvents } from '../testing/wait-for-event.js';
import type { PtyPair } from '../transport/pty-pair.js';
import { createPtyPair } from '../transport/pty-pair.js';
import { BillValidatorSim } from './bill-validator-sim.js';

const limits = defaultLimits.system;

async function openSerial(path: string) {
  const url = parseDeviceUrl(`serial://${path}?baud=9600&parity=none`);
  if (!url.ok) throw new Error(url.problem);
  return openStream(url.url);
}

describe('bill validator over a socat pty pair (CRC-16, echo, real serialport binding)', () => {
  let pair: PtyPair | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await pair?.close();
  });

  it('stacks a bill that fits and returns one that does not', async () => {
    pair = await createPtyPair();
    const clock = realClock();
    const simEnd = await openSerial(pair.simPath);
    cleanups.push(() => void simEnd.destroy());
    const sim = new BillValidatorSim({ currency: 'USD', clock, limits });
    sim.attach(simEnd);
    const kioskEnd = await openSerial(pair.kioskPath);
    cleanups.push(() => void kioskEnd.destroy());
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
    cleanups.push(() => driver.close());
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
