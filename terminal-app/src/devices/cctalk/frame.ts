import type { ChecksumMode } from './checksum.js';
import { sealFrame } from './checksum.js';

/**
 * A ccTalk message: `[dest][nData][src][header][data...][checksum]`. In CRC-16 mode the src position
 * carries the CRC's low byte, so `src` is unknown and reported as undefined.
 */
export interface CcTalkFrame {
  readonly dest: number;
  readonly src: number | undefined;
  readonly header: number;
  readonly data: Uint8Array;
  /** The frame exactly as it was on the wire, checksum included. */
  readonly bytes: Uint8Array;
}

/** Header, dest, nData, src and checksum: the bytes every frame has besides its data. */
export const frameOverheadBytes = 5;
export const frameDataBytesMax = 255;

export function encodeFrame(
  mode: ChecksumMode,
  dest: number,
  src: number,
  header: number,
  data: ArrayLike<number> = [],
): Uint8Array {
  if (data.length > frameDataBytesMax) throw new RangeError('ccTalk data is at most 255 bytes');
  const frame = new Uint8Array(frameOverheadBytes + data.length);
  frame[0] = dest;
  frame[1] = data.length;
  frame[2] = src;
  frame[3] = header;
  frame.set(Array.from(data), 4);
  return sealFrame(frame, mode);
}

/** A checked frame's fields; the caller has already verified the checksum (the framer does). */
export function frameFields(bytes: Uint8Array, mode: ChecksumMode): CcTalkFrame {
  return {
    dest: bytes[0] ?? 0,
    src: mode === 'simple' ? bytes[2] : undefined,
    header: bytes[3] ?? 0,
    data: bytes.subarray(4, bytes.length - 1),
    bytes,
  };
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

export function fromHex(hex: string): Uint8Array {
  const digits = hex.replace(/[^0-9a-f]/gi, '');
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
