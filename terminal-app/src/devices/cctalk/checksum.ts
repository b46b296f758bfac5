/**
 * The two ways a ccTalk frame proves it arrived whole (DESIGN section 7). Coin acceptors use the simple
 * 8-bit checksum; bill validators usually use CRC-16/XMODEM with the CRC's low byte where the source
 * address would be and its high byte in the checksum position.
 */
export type ChecksumMode = 'simple' | 'crc16';

/** The byte that makes every byte of the frame sum to 0 mod 256. */
export function simpleChecksum(bytes: Uint8Array, end = bytes.length): number {
  let sum = 0;
  for (let i = 0; i < end; i += 1) sum += bytes[i] ?? 0;
  return (256 - (sum % 256)) % 256;
}

/** CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection. Check value for "123456789": 0x31C3. */
export function crc16Xmodem(bytes: Iterable<number>): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** The bytes a CRC-16 frame's CRC covers: everything except the src position and the checksum. */
function crcCoveredBytes(frame: Uint8Array): number[] {
  const covered: number[] = [];
  for (let i = 0; i < frame.length - 1; i += 1) if (i !== 2) covered.push(frame[i] ?? 0);
  return covered;
}

/** Whether a whole frame (checksum byte included) passes its check in `mode`. */
export function frameChecksumOk(frame: Uint8Array, mode: ChecksumMode): boolean {
  if (frame.length < 5) return false;
  if (mode === 'simple') return simpleChecksum(frame) === 0;
  const crc = crc16Xmodem(crcCoveredBytes(frame));
  return frame[2] === (crc & 0xff) && frame[frame.length - 1] === crc >> 8;
}

/** Fills in the src position (CRC mode) and the last byte of `frame` so it passes its check. */
export function sealFrame(frame: Uint8Array, mode: ChecksumMode): Uint8Array {
  const last = frame.length - 1;
  if (mode === 'simple') {
    frame[last] = simpleChecksum(frame, last);
  } else {
    const crc = crc16Xmodem(crcCoveredBytes(frame));
    frame[2] = crc & 0xff;
    frame[last] = crc >> 8;
  }
  return frame;
}
