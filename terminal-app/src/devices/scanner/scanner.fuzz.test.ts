import type { DeviceEvent } from '@cashin/shared';
import { defaultLimits } from '@cashin/shared';
import { fuzzParameters } from '@cashin/shared/testing/fuzz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplexPair } from '../common/duplex-pair.js';
import { HidPosAssembler, hidPosReportsFor, hidPosScannedDataReportId } from './hid-pos-report.js';
import { LineScanner } from './line-scanner.js';
import { scanEvent } from './scan-events.js';

/**
 * Fuzzing of the scanner readers: HID POS report trains (real ones, corrupted ones, and junk), serial
 * lines of any bytes, and the scan event built from any raw text. None throws, and no scan longer than
 * scanTextCharsMax ever reaches the deposit engine.
 */
const limits = defaultLimits.system;

const report = fc.oneof(
  fc.uint8Array({ maxLength: 70 }),
  fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bytes) => {
    bytes[0] = hidPosScannedDataReportId;
    return bytes;
  }),
  fc.string({ maxLength: 200 }).chain((text) => fc.constantFrom(...hidPosReportsFor(text))),
);

describe('scanners under fuzz', () => {
  it('the HID POS assembler answers any report train, and a scan it yields is never over the limit', () => {
    fc.assert(
      fc.property(fc.array(report, { maxLength: 30 }), (reports) => {
        const assembler = new HidPosAssembler(limits.hidPosReportsPerScanMax);
        for (const r of reports) {
          const result = assembler.push(r);
          expect(['partial', 'scan', 'ignored']).toContain(result.kind);
          if (result.kind === 'scan') {
            expect(result.raw.length).toBeLessThanOrEqual(3 + 56 * (limits.hidPosReportsPerScanMax + 1));
            const event = scanEvent('scanner', result.raw, limits.scanTextCharsMax);
            if (event?.type === 'scan') {
              expect(event.text.length).toBeGreaterThan(0);
              expect(event.text.length).toBeLessThanOrEqual(limits.scanTextCharsMax);
            }
          }
        }
      }),
      fuzzParameters(2_000),
    );
  });

  it('the line scanner reads any bytes in any chunks and emits only scans within the limit', async () => {
    const chunk = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.string({ maxLength: 40 }).map((text) => Buffer.from(`]C0${text}\r\n`, 'latin1')),
      fc.constant(Buffer.from('x'.repeat(limits.scanTextCharsMax + 1))),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { maxLength: 12 }), async (chunks) => {
        const [kioskEnd, scannerEnd] = duplexPair();
        const scanner = new LineScanner({ name: 'scanner', stream: kioskEnd, limits });
        const events: DeviceEvent[] = [];
        scanner.subscribe((e) => {
          events.push(e);
        });
        await scanner.start();
        const ended = new Promise((resolve) => kioskEnd.once('end', resolve));
        kioskEnd.resume();
        for (const bytes of chunks) scannerEnd.write(Buffer.from(bytes));
        scannerEnd.end();
        await ended;
        await scanner.close();
        for (const event of events) {
          if (event.type !== 'scan') continue;
          expect(event.text.length).toBeGreaterThan(0);
          expect(event.text.length).toBeLessThanOrEqual(limits.scanTextCharsMax);
          expect(event.text).not.toMatch(/[\r\n]/);
        }
      }),
      fuzzParameters(200),
    );
  });
});
