import { afterEach, describe, expect, it } from 'vitest';
import { defaultLimits } from '@cashin/shared';
import { LineScanner } from '@cashin/terminal-app/devices/scanner/line-scanner.js';
import { parseDeviceUrl } from '@cashin/terminal-app/ports/device-url.js';
import { openStream } from '@cashin/terminal-app/ports/open-stream.js';
import { Simulator } from '../simulator.js';
import { waitForEvents } from '../testing/wait-for-event.js';

describe('serial scanner: the simulator on a pty (as --pty starts it), the kiosk on the printed URL', () => {
  let sim: Simulator | undefined;
  let scanner: LineScanner | undefined;
  afterEach(async () => {
    await scanner?.close();
    await sim?.close();
  });

  it('one scan per line, AIM symbology decoded', async () => {
    sim = await Simulator.start({ currency: 'USD', devices: { scanner: { kind: 'pty' } } });
    const url = parseDeviceUrl(sim.urls.scanner ?? '');
    if (!url.ok) throw new Error(url.problem);
    expect(url.url.scheme).toBe('serial');
    const stream = await openStream(url.url);
    const s = new LineScanner({ name: 'scanner', stream, limits: defaultLimits.system });
    scanner = s;
    await s.start();
    const scans = waitForEvents(
      (l) => s.subscribe(l),
      (e) => e.type === 'scan',
      2,
    );
    await sim.scanner?.scan('4112345678901234');
    await sim.scanner?.scan('https://cashin.example/c/52', 'qr');
    expect(await scans).toEqual([
      { device: 'scanner', type: 'scan', text: '4112345678901234', symbology: 'code128' },
      { device: 'scanner', type: 'scan', text: 'https://cashin.example/c/52', symbology: 'qr' },
    ]);
    stream.destroy();
  });
});
