import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DeviceEvent } from '@cashin/shared';
import { defaultLimits } from '@cashin/shared';
import { FakeHidPosDevice } from './fake-hid-pos-device.js';
import { HidPosAssembler, hidPosReportsFor } from './hid-pos-report.js';
import { HidPosScanner } from './hid-pos-scanner.js';

/**
 * A report as a Honeywell Xenon in HID POS mode sends it, written out byte by byte (not built by the code
 * under test): id 2, 16 data bytes, AIM "]C0", data, Honeywell code 0x6A (Code 128) at payload 60,
 * no continuation.
 */
function recordedSingleReport(): Uint8Array {
  const report = new Uint8Array(64);
  report.set([0x02, 0x10, 0x5d, 0x43, 0x30], 0);
  report.set(
    [0x34, 0x31, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x30, 0x31, 0x32, 0x33, 0x34],
    5,
  );
  report[61] = 0x6a;
  return report;
}

describe('HID POS scanner (fake HID device: no uhid on this machine)', () => {
  it('decodes a recorded single-report scan', async () => {
    const device = new FakeHidPosDevice();
    const scanner = new HidPosScanner({ name: 'scanner', stream: device, limits: defaultLimits.system });
    const events: DeviceEvent[] = [];
    scanner.subscribe((e) => events.push(e));
    await scanner.start();
    const scanned = new Promise<DeviceEvent>((resolve) =>
      scanner.subscribe((e) => e.type === 'scan' && resolve(e)),
    );
    device.replay([recordedSingleReport()]);
    expect(await scanned).toEqual({
      device: 'scanner',
      type: 'scan',
      text: '4112345678901234',
      symbology: 'code128',
    });
    await scanner.close();
  });

  it('joins a three-report QR scan and ignores other report ids', () => {
    const url = `https://cashin.example/claim/${'7'.repeat(100)}`;
    const reports = hidPosReportsFor(`]Q1${url}`);
    expect(reports).toHaveLength(3);
    expect(reports.map((r) => r[63])).toEqual([1, 1, 0]);
    const assembler = new HidPosAssembler(16);
    expect(assembler.push(Uint8Array.of(0x01, 0x00, 0x00))).toEqual({
      kind: 'ignored',
      why: 'notScannedData',
    });
    const results = reports.map((r) => assembler.push(r));
    expect(results.slice(0, 2)).toEqual([{ kind: 'partial' }, { kind: 'partial' }]);
    expect(results[2]).toEqual({ kind: 'scan', raw: `]Q1${url}` });
  });

  it('drops a report claiming more data than it holds, and a train longer than the limit', () => {
    const bad = recordedSingleReport();
    bad[1] = 60;
    expect(new HidPosAssembler(16).push(bad)).toEqual({ kind: 'ignored', why: 'badLength' });
    const long = hidPosReportsFor('x'.repeat(56 * 5));
    const assembler = new HidPosAssembler(3);
    expect(long.map((r) => assembler.push(r)).at(-1)).toEqual({ kind: 'ignored', why: 'tooManyReports' });
    expect(assembler.push(recordedSingleReport())).toMatchObject({ kind: 'scan' });
  });

  it('any text split into reports comes back whole', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 400 }), (text) => {
        const assembler = new HidPosAssembler(16);
        const results = hidPosReportsFor(`]C0${text}`).map((r) => assembler.push(r));
        expect(results.at(-1)).toEqual({ kind: 'scan', raw: `]C0${text}` });
      }),
    );
  });
});
