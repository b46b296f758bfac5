import { describe, expect, it } from 'vitest';
import { crc16Xmodem, frameChecksumOk } from './checksum.js';
import { encodeFrame, fromHex, toHex } from './frame.js';

describe('ccTalk checksums', () => {
  it('CRC-16/XMODEM gives the standard check value', () => {
    expect(crc16Xmodem(Buffer.from('123456789'))).toBe(0x31c3);
  });

  // Frames from the reference notes (Azkoyen X6, AL66 and ccTalk-HLA examples).
  it.each([
    ['simple poll', 'simple', 2, 254, [], '02 00 01 FE FF'],
    ['read buffered credit', 'simple', 2, 229, [], '02 00 01 E5 18'],
    ['all channels enabled', 'simple', 2, 231, [0xff, 0xff], '02 02 01 E7 FF FF 16'],
    ['master inhibit enable', 'simple', 2, 228, [1], '02 01 01 E4 01 17'],
    ['master inhibit off', 'simple', 2, 228, [0], '02 01 01 E4 00 18'],
    ['coin id channel 1', 'simple', 2, 184, [1], '02 01 01 B8 01 43'],
    ['self check', 'simple', 2, 232, [], '02 00 01 E8 15'],
    ['route bill 8-bit', 'simple', 40, 154, [1], '28 01 01 9A 01 3B'],
    ['bill poll CRC-16', 'crc16', 40, 254, [], '28 00 B6 FE 21'],
    ['bill events CRC-16', 'crc16', 40, 159, [], '28 00 31 9F 5D'],
  ] as const)('encodes %s as in the reference', (_name, mode, dest, header, data, hex) => {
    expect(toHex(encodeFrame(mode, dest, 1, header, data))).toBe(hex);
  });

  it('accepts the published replies and rejects them with one bit flipped', () => {
    for (const [mode, hex] of [
      ['simple', '01 0B 02 00 06 06 04 00 14 00 17 06 04 0D 02 9E'],
      ['simple', '01 06 02 00 45 55 31 30 30 41 8B'],
      ['crc16', '01 00 30 00 37'],
    ] as const) {
      const frame = fromHex(hex);
      expect(frameChecksumOk(frame, mode)).toBe(true);
      frame[3] = (frame[3] ?? 0) ^ 0x10;
      expect(frameChecksumOk(frame, mode)).toBe(false);
    }
  });
});
