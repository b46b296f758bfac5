import { FakeClock } from '@cashin/shared';
import { fuzzParameters } from '@cashin/shared/testing/fuzz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyBillStatus } from './bill-status.js';
import type { ChecksumMode } from './checksum.js';
import { frameChecksumOk } from './checksum.js';
import type { CcTalkFrame } from './frame.js';
import { encodeFrame, frameOverheadBytes } from './frame.js';
import { CcTalkFramer } from './framer.js';
import { counterAfter, counterBefore, counterStep } from './event-counter.js';
import {
  parseAscii,
  parseBillId,
  parseBufferedEvents,
  parseCoinId,
  parseEmpty,
  parseSelfCheck,
  parseSerialNumber,
} from './parsers.js';

/**
 * Fuzzing of everything that reads bytes from a ccTalk bus: the framer (any bytes, in any chunks, with any
 * quiet gaps between them), the reply parsers fed every frame the framer lets through, and the event
 * counter arithmetic fed any counter bytes. None throws; only checked frames come out.
 */
const frameBytesMax = 260;
const interByteTimeoutMs = 50;

/** Real frames, some corrupted, some cut, mixed with noise: what a bad cable or a clashing device sends. */
const busBytes = (mode: ChecksumMode) =>
  fc
    .array(
      fc.oneof(
        fc
          .record({
            dest: fc.integer({ min: 0, max: 255 }),
            src: fc.integer({ min: 0, max: 255 }),
            header: fc.integer({ min: 0, max: 255 }),
            data: fc.uint8Array({ maxLength: 24 }),
          })
          .map((f) => encodeFrame(mode, f.dest, f.src, f.header, f.data)),
        fc.uint8Array({ maxLength: 40 }),
        fc.constantFrom(Uint8Array.of(1, 255), Uint8Array.of(2, 0)),
      ),
      { maxLength: 10 },
    )
    .chain((parts) => {
      const bytes = Uint8Array.from(parts.flatMap((p) => Array.from(p)));
      return fc.tuple(
        fc.constant(bytes),
        fc.array(fc.tuple(fc.nat({ max: Math.max(0, bytes.length) }), fc.integer({ min: 1, max: 255 })), {
          maxLength: 4,
        }),
      );
    })
    .map(([bytes, flips]) => {
      for (const [at, mask] of flips) if (at < bytes.length) bytes[at] = (bytes[at] ?? 0) ^ mask;
      return bytes;
    });

/** Chunks of the stream, each arriving after a gap (some longer than the inter-byte timeout). */
const deliveries = fc.array(
  fc.tuple(fc.integer({ min: 1, max: 32 }), fc.nat({ max: 3 * interByteTimeoutMs })),
  {
    minLength: 1,
    maxLength: 20,
  },
);

function parseEverything(frame: CcTalkFrame): void {
  const { data } = frame;
  for (const result of [
    parseBufferedEvents(data, 5),
    parseBufferedEvents(data, frame.header),
    parseAscii(data),
    parseAscii(data, 0),
    parseSerialNumber(data),
    parseSelfCheck(data),
    parseEmpty(data),
    parseBillId(data),
    parseCoinId(data),
  ]) {
    expect(typeof result.ok).toBe('boolean');
    if (!result.ok) expect(['badLength', 'badValue']).toContain(result.error.code);
  }
}

describe('ccTalk under fuzz', () => {
  for (const mode of ['simple', 'crc16'] as const) {
    it(`${mode}: the framer never throws and lets through only checked frames, which every parser reads`, () => {
      fc.assert(
        fc.property(busBytes(mode), deliveries, (bytes, gaps) => {
          const clock = new FakeClock();
          const framer = new CcTalkFramer({ mode, clock, interByteTimeoutMs, frameBytesMax });
          const frames: CcTalkFrame[] = [];
          framer.on('data', (frame: CcTalkFrame) => frames.push(frame));
          let at = 0;
          let turn = 0;
          while (at < bytes.length) {
            const [size, gapMs] = gaps[turn % gaps.length] ?? [1, 0];
            clock.advance(gapMs);
            framer.write(Buffer.from(bytes.subarray(at, at + size)));
            at += size;
            turn += 1;
          }
          for (const frame of frames) {
            expect(frameChecksumOk(frame.bytes, mode)).toBe(true);
            expect(frame.bytes.length).toBe((frame.bytes[1] ?? 0) + frameOverheadBytes);
            expect(frame.bytes.length).toBeLessThanOrEqual(frameBytesMax);
            parseEverything(frame);
          }
          const counted = framer.counters;
          expect(counted.frames).toBe(frames.length);
        }),
        fuzzParameters(400),
      );
    });
  }

  it('the event counter arithmetic and the bill status classes answer any byte', () => {
    const byte = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(
        fc.option(byte, { nil: undefined }),
        byte,
        fc.integer({ min: 0, max: 255 }),
        (last, counter, buffer) => {
          const step = counterStep(last, counter, buffer);
          if (step.kind === 'events') {
            expect(step.fresh).toBeGreaterThanOrEqual(0);
            expect(step.fresh).toBeLessThanOrEqual(buffer);
            expect(step.lost).toBeGreaterThanOrEqual(0);
          }
          if (counter > 0) {
            expect(counterBefore(counterAfter(counter, buffer), buffer)).toBe(counter);
            expect(counterAfter(counter, buffer)).toBeGreaterThanOrEqual(1);
            expect(counterAfter(counter, buffer)).toBeLessThanOrEqual(255);
          }
          expect(typeof classifyBillStatus(counter).kind).toBe('string');
        },
      ),
      fuzzParameters(5_000),
    );
  });
});
