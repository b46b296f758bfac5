import { afterEach, describe, expect, it } from 'vitest';
import { freeTcpPort } from '@cashin/scripts/testing/free-port';
import type { DeviceConfig, DeviceEvent } from '@cashin/shared';
import { defaultLimits, realClock } from '@cashin/shared';
import type { KioskDevices } from '@cashin/terminal-app/devices/open-devices.js';
import { openDevices } from '@cashin/terminal-app/devices/open-devices.js';
import { runCommand } from './cli/commands.js';
import { Simulator } from './simulator.js';
import { waitForEvents } from './testing/wait-for-event.js';

const limits = defaultLimits.system;

describe('the kiosk opens the whole simulator over TCP by URL (ports module, real sockets)', () => {
  let sim: Simulator | undefined;
  let kiosk: KioskDevices | undefined;
  afterEach(async () => {
    await kiosk?.close();
    await sim?.close();
  });

  it('coins, a bill, a pour, a scan and a receipt; an unplugged acceptor reconnects', async () => {
    const clock = realClock();
    sim = await Simulator.start({
      currency: 'USD',
      clock,
      devices: {
        coin: { kind: 'tcp', port: 0 },
        bill: { kind: 'tcp', port: 0 },
        counter: { kind: 'tcp', port: 0 },
        scanner: { kind: 'tcp', port: 0 },
        printer: { kind: 'tcp', port: 0 },
      },
    });
    const urls = sim.urls;
    const devices: DeviceConfig[] = [
      { name: 'coin', kind: 'coinAcceptor', url: urls.coin ?? '', currency: 'USD' },
      { name: 'bill', kind: 'billValidator', url: urls.bill ?? '', currency: 'USD' },
      { name: 'counter', kind: 'bulkCounter', url: urls.counter ?? '', currency: 'USD' },
      { name: 'scanner', kind: 'scanner', url: urls.scanner ?? '', currency: 'USD' },
      { name: 'printer', kind: 'printer', url: urls.printer ?? '', currency: 'USD' },
      { name: 'broken', kind: 'coinAcceptor', url: 'tcp://127.0.0.1:1', currency: 'USD' },
    ];
    kiosk = await openDevices({ devices, clock, limits });
    expect(kiosk.failed.map((f) => [f.config.name, f.retrying])).toEqual([['broken', true]]);
    expect(kiosk.statuses().map((s) => [s.device, s.state])).toEqual([
      ['coin', 'disabled'],
      ['bill', 'disabled'],
      ['counter', 'ok'],
      ['scanner', 'ok'],
      ['printer', 'ok'],
      ['broken', 'disconnected'],
    ]);
    const k = kiosk;
    const events: DeviceEvent[] = [];
    k.subscribe((e) => events.push(e));
    const on = (match: (e: DeviceEvent) => boolean, count = 1) =>
      waitForEvents((l) => k.subscribe(l), match, count);

    await k.coinAcceptors()[0]?.driver.setAcceptLimit(5_000);
    await k.billValidators()[0]?.driver.setAcceptLimit(5_000);
    const context = { sim, currency: 'USD' as const, receiptsDir: '/tmp' };

    const coins = on((e) => e.type === 'credit' && e.device === 'coin', 3);
    expect(await runCommand(context, 'insert 25 x3')).toBe('US025A: 3 accepted');
    await coins;

    const bill = on((e) => e.type === 'credit' && e.device === 'bill');
    expect(await runCommand(context, 'bill 20')).toBe('US0020A: escrowed');
    await bill;

    const scan = on((e) => e.type === 'scan');
    await runCommand(context, 'scan 4112345678901234');
    expect(await scan).toEqual([
      { device: 'scanner', type: 'scan', text: '4112345678901234', symbology: 'code128' },
    ]);

    await runCommand(context, 'pour 100 at 6000 reject 0');
    const counted = () =>
      events.reduce((n, e) => (e.type === 'credit' && e.device === 'counter' ? n + e.count : n), 0);
    while (counted() < 100) await on((e) => e.type === 'credit' && e.device === 'counter');
    expect(counted()).toBe(100);

    const credited = events.reduce((sum, e) => (e.type === 'credit' ? sum + e.valueMinor * e.count : sum), 0);
    expect(credited).toBe(sim.accepted().totalMinor);

    const printed = sim.printer?.nextReceipt();
    const result = await k.printers()[0]?.driver.print({
      title: 'test',
      lines: [
        { type: 'text', text: 'hello' },
        { type: 'barcode', symbology: 'code128', data: 'X1' },
        { type: 'cut' },
      ],
    });
    expect(result).toMatchObject({ ok: true });
    expect(sim.printer?.text((await printed)!)).toBe('hello\n[CODE128 X1]\n\n');

    const down = on((e) => e.type === 'disconnected' && e.device === 'coin');
    const reconnected = on((e) => e.type === 'connected' && e.device === 'coin');
    sim.unplug('coin');
    await down;
    expect(k.statuses()[0]?.state).toBe('disconnected');
    await reconnected;
    const back = on((e) => e.type === 'credit' && e.device === 'coin');
    // The acceptor was never powered off: once the kiosk is back on the line, coins count again.
    sim.coin?.insert(100);
    await back;
    expect(k.statuses()[0]?.state).toBe('ok');
  });

  it('an acceptor that is not there at start-up is reported disconnected, then joins when it answers', async () => {
    const clock = realClock();
    const port = await freeTcpPort();
    const devices: DeviceConfig[] = [
      { name: 'coin', kind: 'coinAcceptor', url: `tcp://127.0.0.1:${port}`, currency: 'USD' },
      { name: 'typo', kind: 'coinAcceptor', url: 'tcpx://nowhere', currency: 'USD' },
    ];
    const opened: string[] = [];
    kiosk = await openDevices({
      devices,
      clock,
      limits,
      onOpened: (device) => opened.push(device.config.name),
    });
    const k = kiosk;
    expect(k.failed.map((f) => [f.config.name, f.retrying])).toEqual([
      ['coin', true],
      ['typo', false],
    ]);
    expect(k.coinAcceptors()).toEqual([]);
    expect(k.statuses()).toEqual([expect.objectContaining({ device: 'coin', state: 'disconnected' })]);
    // The deposit engine, the first to listen, hears that the acceptor is missing (so a kiosk without its
    // money device is out of service rather than waiting for coins nobody polls).
    const events: DeviceEvent[] = [];
    k.subscribe((event) => events.push(event));
    expect(events).toEqual([expect.objectContaining({ device: 'coin', type: 'disconnected' })]);

    const joined = waitForEvents(
      (l) => k.subscribe(l),
      (e) => e.type === 'connected' && e.device === 'coin',
    );
    sim = await Simulator.start({ currency: 'USD', clock, devices: { coin: { kind: 'tcp', port } } });
    await joined;
    expect(opened).toEqual(['coin']);
    expect(k.coinAcceptors().map((d) => d.config.name)).toEqual(['coin']);
    expect(k.statuses()).toEqual([expect.objectContaining({ device: 'coin', state: 'disabled' })]);
    const credit = waitForEvents(
      (l) => k.subscribe(l),
      (e) => e.type === 'credit' && e.device === 'coin',
    );
    await k.coinAcceptors()[0]?.driver.setAcceptLimit(5_000);
    await sim.coin?.whenAccepting();
    expect(sim.coin?.insert(25)).toBe('accepted');
    expect(await credit).toEqual([expect.objectContaining({ valueMinor: 25, count: 1 })]);
  });
});
