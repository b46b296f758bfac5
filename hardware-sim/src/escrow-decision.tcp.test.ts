import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@cashin/shared';
import { defaultLimits, realClock } from '@cashin/shared';
import type { KioskDevices } from '@cashin/terminal-app/devices/open-devices.js';
import { openDevices } from '@cashin/terminal-app/devices/open-devices.js';
import { Simulator } from './simulator.js';
import { waitForEvents } from './testing/wait-for-event.js';

describe('escrow decided later by the deposit engine, over TCP', () => {
  let sim: Simulator | undefined;
  let kiosk: KioskDevices | undefined;
  afterEach(async () => {
    await kiosk?.close();
    await sim?.close();
  });

  it('the validator keeps polling while it waits, then stacks or returns as told', async () => {
    const clock = realClock();
    sim = await Simulator.start({
      currency: 'USD',
      clock,
      devices: { coin: { kind: 'tcp', port: 0 }, bill: { kind: 'tcp', port: 0 } },
    });
    // The engine answers an escrow event some time after it sees it; until then the driver waits.
    const answers: Array<(stack: boolean) => void> = [];
    kiosk = await openDevices({
      clock,
      limits: defaultLimits.system,
      devices: [
        { name: 'coin', kind: 'coinAcceptor', url: sim.urls.coin ?? '', currency: 'USD' },
        { name: 'bill', kind: 'billValidator', url: sim.urls.bill ?? '', currency: 'USD' },
      ],
      decideEscrow: () => new Promise<boolean>((resolve) => answers.push(resolve)),
    });
    const k = kiosk;
    const on = (match: (e: DeviceEvent) => boolean) => waitForEvents((l) => k.subscribe(l), match);
    await k.coinAcceptors()[0]?.driver.setAcceptLimit(10_000);
    await k.billValidators()[0]?.driver.setAcceptLimit(10_000);

    const escrow = on((e) => e.type === 'escrow');
    expect(sim.bill?.insert('US0020A')).toBe('escrowed');
    await escrow;
    // While the bill waits for its decision, a coin still gets through: polling did not stop.
    const coin = on((e) => e.type === 'credit' && e.device === 'coin');
    sim.coin?.insert('US100A');
    await coin;
    expect(sim.bill?.billInEscrow?.ccTalkId).toBe('US0020A');
    const stacked = on((e) => e.type === 'credit' && e.device === 'bill');
    answers.shift()?.(true);
    expect(await stacked).toMatchObject([{ valueMinor: 2_000 }]);

    const nextEscrow = on((e) => e.type === 'escrow');
    sim.bill?.insert('US0050A');
    await nextEscrow;
    const returned = on((e) => e.type === 'reject' && e.device === 'bill');
    answers.shift()?.(false);
    expect(await returned).toMatchObject([{ reason: 'returnedFromEscrow', valueMinor: 5_000 }]);
    expect(sim.accepted().totalMinor).toBe(2_100);

    // A bill still waiting when the kiosk shuts down is given back, and closing does not hang on it.
    const third = on((e) => e.type === 'escrow');
    sim.bill?.insert('US0010A');
    await third;
    await k.close();
    expect(sim.bill?.totals.rejected).toBe(2);
    expect(sim.bill?.billInEscrow).toBeUndefined();
  });
});
