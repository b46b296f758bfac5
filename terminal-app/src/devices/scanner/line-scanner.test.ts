import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DeviceEvent } from '@cashin/shared';
import { defaultLimits } from '@cashin/shared';
import { duplexPair } from '../common/duplex-pair.js';
import { LineScanner } from './line-scanner.js';

async function scansOf(chunks: string[]): Promise<DeviceEvent[]> {
  const [kioskEnd, scannerEnd] = duplexPair();
  const scanner = new LineScanner({ name: 'scanner', stream: kioskEnd, limits: defaultLimits.system });
  const events: DeviceEvent[] = [];
  scanner.subscribe((e) => e.type === 'scan' && events.push(e));
  await scanner.start();
  const ended = new Promise((resolve) => kioskEnd.once('end', resolve));
  kioskEnd.resume();
  for (const chunk of chunks) scannerEnd.write(Buffer.from(chunk, 'latin1'));
  scannerEnd.end();
  await ended;
  await scanner.close();
  return events;
}

describe('serial / CDC line scanner', () => {
  it('reads one scan per line with its AIM symbology', async () => {
    expect(await scansOf([']C0411234567', '8901234\r\n]Q1https://x/y\r', '\n4100\n'])).toEqual([
      { device: 'scanner', type: 'scan', text: '4112345678901234', symbology: 'code128' },
      { device: 'scanner', type: 'scan', text: 'https://x/y', symbology: 'qr' },
      { device: 'scanner', type: 'scan', text: '4100', symbology: 'unknown' },
    ]);
  });

  it('drops an over-long line whole', async () => {
    const long = 'x'.repeat(defaultLimits.system.scanTextCharsMax + 10);
    expect(await scansOf([`${long}\r\n]C0OK\r\n`])).toEqual([
      { device: 'scanner', type: 'scan', text: 'OK', symbology: 'code128' },
    ]);
  });

  it('any lines in any chunks give the same scans', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[0-9A-Z]{1,30}$/), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat()),
        async (codes, cuts) => {
          const stream = codes.map((c) => `]C0${c}\r\n`).join('');
          const points = [...new Set(cuts.map((c) => c % stream.length))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let start = 0;
          for (const p of [...points, stream.length]) {
            if (p > start) chunks.push(stream.slice(start, p));
            start = Math.max(start, p);
          }
          const events = await scansOf(chunks);
          expect(events.map((e) => (e.type === 'scan' ? e.text : ''))).toEqual(codes);
        },
      ),
      { numRuns: 50 },
    );
  });
});
