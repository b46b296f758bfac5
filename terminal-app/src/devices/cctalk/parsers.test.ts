import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex } from './frame.js';
import {
  parseAscii,
  parseBufferedEvents,
  parseCoinId,
  parseEmpty,
  parseSelfCheck,
  parseSerialNumber,
} from './parsers.js';

describe('ccTalk reply parsers', () => {
  it('reads the X6 229 reply: counter 6, newest pair first', () => {
    const data = fromHex('06 06 04 00 14 00 17 06 04 0D 02');
    expect(parseBufferedEvents(data, 5)).toEqual({
      ok: true,
      value: {
        counter: 6,
        pairs: [
          { a: 6, b: 4 },
          { a: 0, b: 20 },
          { a: 0, b: 23 },
          { a: 6, b: 4 },
          { a: 13, b: 2 },
        ],
      },
    });
  });

  it('reads ids, serial numbers and self-checks', () => {
    expect(parseCoinId(Buffer.from('EU100A'))).toEqual({ ok: true, value: 'EU100A' });
    expect(parseSerialNumber(Uint8Array.of(78, 97, 188))).toEqual({ ok: true, value: 12_345_678 });
    expect(parseSelfCheck(Uint8Array.of(0))).toEqual({ ok: true, value: { faultCode: 0 } });
    expect(parseSelfCheck(Uint8Array.of(3, 9))).toEqual({ ok: true, value: { faultCode: 3, extra: 9 } });
  });

  it('answers a wrong length or a non-printable byte with a coded error', () => {
    expect(parseBufferedEvents(Uint8Array.of(1, 2, 3), 5)).toMatchObject({
      ok: false,
      error: { code: 'badLength' },
    });
    expect(parseCoinId(Buffer.from('US25A'))).toMatchObject({ ok: false, error: { code: 'badLength' } });
    expect(parseAscii(Uint8Array.of(0x41, 0x00))).toMatchObject({ ok: false, error: { code: 'badValue' } });
    expect(parseEmpty(Uint8Array.of(0))).toMatchObject({ ok: false, error: { code: 'badLength' } });
  });

  it('never throws, whatever the bytes', () => {
    const parsers = [
      (d: Uint8Array) => parseBufferedEvents(d, 5),
      parseAscii,
      parseCoinId,
      parseSerialNumber,
      parseSelfCheck,
      parseEmpty,
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        for (const parse of parsers) expect(typeof parse(data).ok).toBe('boolean');
      }),
    );
  });
});
