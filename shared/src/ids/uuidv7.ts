import { z } from 'zod';
import type { RandomBytes } from '../codes/deposit-code.js';
import { cryptoRandomBytes } from '../codes/deposit-code.js';

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness. Ids sort by creation time, which
 * keeps B-tree inserts near the right edge. Within one generator, ids are strictly increasing even when
 * many are made in one millisecond or the wall clock steps back (RFC 9562 section 6.2, method 1: the
 * 12-bit rand_a field is a counter seeded at random each new millisecond).
 */
export type UuidV7 = string & { readonly __brand: 'UuidV7' };

export const uuidV7Pattern = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface UuidV7Generator {
  (): UuidV7;
}

export function createUuidV7Generator(
  nowMs: () => number = () => Date.now(),
  random: RandomBytes = cryptoRandomBytes,
): UuidV7Generator {
  let lastMs = -1;
  let counter = 0;
  const bytes = new Uint8Array(16);
  return () => {
    random(bytes);
    let ms = Math.max(nowMs(), lastMs);
    if (ms === lastMs) {
      counter += 1;
      if (counter > 0xfff) {
        // The counter is spent for this millisecond: borrow the next one rather than repeat or reorder.
        ms += 1;
        counter = bytes[6]! & 0x07;
      }
    } else {
      // Start low in the range so a burst within one millisecond has room to count up.
      counter = ((bytes[6]! & 0x07) << 8) | bytes[7]!;
    }
    lastMs = ms;
    const time = BigInt(ms);
    for (let index = 0; index < 6; index += 1)
      bytes[index] = Number((time >> BigInt(8 * (5 - index))) & 0xffn);
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as UuidV7;
  };
}

/** The process-wide generator for code that has no clock of its own to inject. */
export const uuidv7: UuidV7Generator = createUuidV7Generator();

export function isUuidV7(value: string): value is UuidV7 {
  return uuidV7Pattern.test(value);
}

/** The millisecond timestamp an id was made at. */
export function uuidV7TimeMs(id: UuidV7): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

export const UuidV7Schema = z
  .string()
  .regex(uuidV7Pattern, 'expected a lowercase UUIDv7')
  .transform((value) => value as UuidV7);
