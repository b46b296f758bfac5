/**
 * Where a device is, as a URL (DESIGN section 6):
 * - `serial:///dev/ttyUSB0?baud=9600&parity=none&dataBits=8&stopBits=1`: a UART, USB-serial or pty;
 * - `tcp://127.0.0.1:7001`: raw TCP, as ser2net serves a serial port (and as the simulator does);
 * - `hid://0c2e:0b61` (hex vendor:product) or `hid:///dev/hidraw3`: a HID POS scanner;
 * - `usblp:///dev/usb/lp0`: a USB printer through the kernel's usblp driver.
 */
export type Parity = 'none' | 'even' | 'odd';

export type DeviceUrl =
  | {
      scheme: 'serial';
      path: string;
      baudRate: number;
      parity: Parity;
      dataBits: 5 | 6 | 7 | 8;
      stopBits: 1 | 2;
    }
  | { scheme: 'tcp'; host: string; port: number }
  | { scheme: 'hid'; vendorId: number; productId: number }
  | { scheme: 'hidPath'; path: string }
  | { scheme: 'usblp'; path: string };

export type DeviceUrlResult = { ok: true; url: DeviceUrl } | { ok: false; problem: string };

const baudRates = new Set([1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]);

export function parseDeviceUrl(text: string): DeviceUrlResult {
  // "vvvv:pppp" is not a valid host:port for the URL parser (the port is hex), so hid is matched first.
  const hidIds = /^hid:\/\/([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(text);
  if (hidIds?.[1] && hidIds[2]) {
    return {
      ok: true,
      url: { scheme: 'hid', vendorId: parseInt(hidIds[1], 16), productId: parseInt(hidIds[2], 16) },
    };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: `not a URL: ${text}` };
  }
  switch (url.protocol) {
    case 'serial:': {
      const path = decodeURIComponent(url.pathname);
      if (!path.startsWith('/')) return { ok: false, problem: 'serial URL needs an absolute device path' };
      const baudRate = Number(url.searchParams.get('baud') ?? 9600);
      if (!baudRates.has(baudRate)) return { ok: false, problem: `unsupported baud rate ${baudRate}` };
      const parity = url.searchParams.get('parity') ?? 'none';
      if (parity !== 'none' && parity !== 'even' && parity !== 'odd') {
        return { ok: false, problem: `parity must be none, even or odd (mark/space are Windows-only)` };
      }
      const dataBits = Number(url.searchParams.get('dataBits') ?? 8);
      if (dataBits !== 5 && dataBits !== 6 && dataBits !== 7 && dataBits !== 8) {
        return { ok: false, problem: `dataBits must be 5-8` };
      }
      const stopBits = Number(url.searchParams.get('stopBits') ?? 1);
      if (stopBits !== 1 && stopBits !== 2) return { ok: false, problem: 'stopBits must be 1 or 2' };
      return { ok: true, url: { scheme: 'serial', path, baudRate, parity, dataBits, stopBits } };
    }
    case 'tcp:': {
      const port = Number(url.port);
      if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65_535) {
        return { ok: false, problem: 'tcp URL needs a host and a port' };
      }
      return { ok: true, url: { scheme: 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port } };
    }
    case 'hid:': {
      if (url.pathname.startsWith('/dev/'))
        return { ok: true, url: { scheme: 'hidPath', path: url.pathname } };
      return { ok: false, problem: 'hid URL is hid://vvvv:pppp (hex) or hid:///dev/hidrawN' };
    }
    case 'usblp:': {
      const path = decodeURIComponent(url.pathname);
      if (!path.startsWith('/dev/')) return { ok: false, problem: 'usblp URL needs a /dev path' };
      return { ok: true, url: { scheme: 'usblp', path } };
    }
    default:
      return { ok: false, problem: `unknown device URL scheme ${url.protocol}` };
  }
}
