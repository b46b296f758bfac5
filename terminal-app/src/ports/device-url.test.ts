import { describe, expect, it } from 'vitest';
import { parseDeviceUrl } from './device-url.js';

describe('parseDeviceUrl', () => {
  it.each([
    [
      'serial:///dev/ttyUSB0?baud=9600&parity=none',
      { scheme: 'serial', path: '/dev/ttyUSB0', baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 },
    ],
    [
      'serial:///tmp/x/ttyA?baud=19200&parity=even&stopBits=2',
      { scheme: 'serial', path: '/tmp/x/ttyA', baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 2 },
    ],
    ['tcp://127.0.0.1:7001', { scheme: 'tcp', host: '127.0.0.1', port: 7001 }],
    ['tcp://kiosk-lab.local:9100', { scheme: 'tcp', host: 'kiosk-lab.local', port: 9100 }],
    ['hid://0c2e:0b61', { scheme: 'hid', vendorId: 0x0c2e, productId: 0x0b61 }],
    ['hid:///dev/hidraw3', { scheme: 'hidPath', path: '/dev/hidraw3' }],
    ['usblp:///dev/usb/lp0', { scheme: 'usblp', path: '/dev/usb/lp0' }],
  ])('%s', (text, url) => {
    expect(parseDeviceUrl(text)).toEqual({ ok: true, url });
  });

  it.each([
    'serial://relative?baud=9600',
    'serial:///dev/ttyS0?baud=1234',
    'serial:///dev/ttyS0?parity=mark',
    'tcp://host',
    'hid://zzzz:1',
    'usblp://lp0',
    'ftp://x/y',
    'not a url',
  ])('refuses %s', (text) => {
    expect(parseDeviceUrl(text).ok).toBe(false);
  });
});
