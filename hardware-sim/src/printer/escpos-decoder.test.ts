import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeJob } from '@cashin/terminal-app/devices/printer/encode-job.js';
import type { CapturedReceipt } from './receipt-model.js';
import { receiptText } from './receipt-model.js';
import { EscPosDecoder, decodeCode128Data } from './escpos-decoder.js';

function decode(chunks: Uint8Array[]): { receipts: CapturedReceipt[]; status: number[] } {
  const receipts: CapturedReceipt[] = [];
  const status: number[] = [];
  const decoder = new EscPosDecoder({
    onReceipt: (r) => receipts.push(r),
    onStatusRequest: (n) => status.push(n),
  });
  for (const chunk of chunks) decoder.write(chunk);
  return { receipts, status };
}

const job = encodeJob({
  title: 't',
  lines: [
    { type: 'text', text: 'TITLE', align: 'center', bold: true, size: 'large' },
    { type: 'columns', left: '10c x 3', right: '$0.30' },
    { type: 'rule' },
    { type: 'barcode', symbology: 'code128', data: '4112345678901234' },
    { type: 'qr', data: 'https://cashin.example/r/123' },
    { type: 'cut' },
  ],
});

describe('EscPosDecoder', () => {
  it('decodes text, native Code 128 and QR from hand-written bytes', () => {
    const bytes = Uint8Array.from([
      0x1b,
      0x40,
      0x1b,
      0x45,
      0x01,
      ...Buffer.from('HI'),
      0x1b,
      0x45,
      0x00,
      0x0a,
      0x1d,
      0x6b,
      0x49,
      0x06,
      0x7b,
      0x42,
      ...Buffer.from('AB12'),
      0x1d,
      0x28,
      0x6b,
      0x06,
      0x00,
      0x31,
      0x50,
      0x30,
      ...Buffer.from('xyz'),
      0x1d,
      0x28,
      0x6b,
      0x03,
      0x00,
      0x31,
      0x51,
      0x30,
      0x10,
      0x04,
      0x04,
      0x1d,
      0x56,
      0x00,
    ]);
    const { receipts, status } = decode([bytes]);
    expect(status).toEqual([4]);
    expect(receipts).toHaveLength(1);
    expect(receiptText(receipts[0]!)).toBe('HI\n[CODE128 AB12]\n[QR xyz]');
    expect(receipts[0]?.elements[0]).toMatchObject({ bold: true });
  });

  it('code set C packs two digits a byte', () => {
    expect(decodeCode128Data(Uint8Array.from([0x7b, 0x43, 41, 12, 3, 0x7b, 0x42, 0x58]))).toBe('411203X');
  });

  it('gives the same receipt however the bytes are chunked', () => {
    const whole = receiptText(decode([job]).receipts[0]!);
    expect(whole).toContain('[CODE128 4112345678901234]');
    expect(whole).toContain('[QR https://cashin.example/r/123]');
    fc.assert(
      fc.property(fc.array(fc.nat({ max: job.length }), { maxLength: 30 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let start = 0;
        for (const p of [...points, job.length]) {
          if (p > start) chunks.push(job.subarray(start, p));
          start = Math.max(start, p);
        }
        const { receipts } = decode(chunks);
        expect(receipts.map(receiptText)).toEqual([whole]);
      }),
    );
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
        decode([bytes]);
      }),
    );
  });
});

describe('code page 437 text', () => {
  it('captures Spanish receipt text as a printer would print it', async () => {
    const { cp437Char } = await import('./escpos-decoder.js');
    // "Depósito", "Número", "¿", "ñ" in code page 437 bytes.
    expect([0xa2, 0xa3, 0xa8, 0xa4, 0x82, 0xa0].map(cp437Char).join('')).toBe('óú¿ñéá');
    expect(cp437Char(0xc4)).toBe('-');
  });
});
