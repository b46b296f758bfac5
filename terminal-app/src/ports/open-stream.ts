import { Duplex } from 'node:stream';
import { connect } from 'node:net';
import { open as openFile } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { HIDAsync } from 'node-hid';
import { honeywellHidPosModeFeatureReport } from '../devices/scanner/hid-pos-scanner.js';
import type { DeviceUrl } from './device-url.js';

/** Honeywell's USB vendor id: its scanners need a feature report to switch into HID POS mode. */
const honeywellVendorId = 0x0c2e;

/**
 * Opens the byte pipe a URL names and resolves once it is usable. This module and its siblings in
 * `ports/` are the only code that touches serialport and node-hid; drivers get the Duplex and nothing else.
 *
 * HID is report-oriented, so its Duplex is in object mode: every chunk read is one input report (report
 * id first, as hidraw delivers it) and every chunk written is one output report.
 */
export async function openStream(url: DeviceUrl): Promise<Duplex> {
  switch (url.scheme) {
    case 'serial':
      return openSerial(url);
    case 'tcp':
      return openTcp(url.host, url.port);
    case 'hid': {
      const device = await HIDAsync.open(url.vendorId, url.productId);
      if (url.vendorId === honeywellVendorId) {
        // Best effort: a scanner already in HID POS mode may refuse it, and that is fine.
        await device.sendFeatureReport([...honeywellHidPosModeFeatureReport]).catch(() => undefined);
      }
      return hidStream(device);
    }
    case 'hidPath':
      return hidStream(await HIDAsync.open(url.path));
    case 'usblp':
      return openUsblp(url.path);
  }
}

function openSerial(url: Extract<DeviceUrl, { scheme: 'serial' }>): Promise<Duplex> {
  const port = new SerialPort({
    path: url.path,
    baudRate: url.baudRate,
    parity: url.parity,
    dataBits: url.dataBits,
    stopBits: url.stopBits,
    autoOpen: false,
  });
  return new Promise((resolve, reject) => {
    port.open((error) => (error ? reject(error) : resolve(port)));
  });
}

function openTcp(host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** A usblp character device: written like a file, and readable for the printer's status bytes. */
async function openUsblp(path: string): Promise<Duplex> {
  const handle = await openFile(path, 'r+');
  return Duplex.from({
    readable: handle.createReadStream({ autoClose: false }),
    writable: handle.createWriteStream({ autoClose: true }),
  });
}

function hidStream(device: HIDAsync): Duplex {
  const stream = new Duplex({
    objectMode: true,
    read() {
      // Reports are pushed as node-hid delivers them.
    },
    write(report: Buffer, _encoding, callback) {
      device.write(report).then(
        () => callback(),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
    destroy(error, callback) {
      device.close().then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
  device.on('data', (report: Buffer) => stream.push(report));
  device.on('error', (error: Error) => stream.destroy(error));
  return stream;
}
