import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import type { Clock } from '@cashin/shared';
import type { ChecksumMode } from './checksum.js';
import { frameChecksumOk } from './checksum.js';
import type { CcTalkFrame } from './frame.js';
import { frameFields, frameOverheadBytes } from './frame.js';

export interface CcTalkFramerOptions {
  readonly mode: ChecksumMode;
  readonly clock: Clock;
  /** A gap longer than this between bytes abandons a partial frame (the spec's receiver reset). */
  readonly interByteTimeoutMs: number;
  /** No frame is longer than this; a length byte that promises more is noise. */
  readonly frameBytesMax: number;
}

/** What the framer threw away, for diagnostics and tests. */
export interface CcTalkFramerCounters {
  frames: number;
  checksumFailures: number;
  bytesDiscarded: number;
  interByteTimeouts: number;
}

/**
 * Cuts a ccTalk byte stream into checked frames, and does nothing else: no addresses, no echo, no
 * replies (the host does those). Bytes go in, `CcTalkFrame` objects come out.
 *
 * A candidate frame whose checksum fails costs one byte: the framer drops the first byte and looks again,
 * so a frame that follows line noise is still found. A candidate is never longer than `frameBytesMax`,
 * and a partial frame is abandoned when the line has been quiet for longer than the inter-byte timeout,
 * judged on the injected clock when the next bytes arrive.
 */
export class CcTalkFramer extends Transform {
  readonly counters: CcTalkFramerCounters = {
    frames: 0,
    checksumFailures: 0,
    bytesDiscarded: 0,
    interByteTimeouts: 0,
  };
  private pending: Buffer = Buffer.alloc(0);
  private lastByteMs = 0;

  constructor(private readonly options: CcTalkFramerOptions) {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    const nowMs = this.options.clock.nowMs();
    if (this.pending.length > 0 && nowMs - this.lastByteMs > this.options.interByteTimeoutMs) {
      this.counters.interByteTimeouts += 1;
      this.discard(this.pending.length);
    }
    this.lastByteMs = nowMs;
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    this.cut();
    callback();
  }

  private cut(): void {
    const { mode, frameBytesMax } = this.options;
    while (this.pending.length >= 2) {
      const frameBytes = (this.pending[1] ?? 0) + frameOverheadBytes;
      if (frameBytes > frameBytesMax) {
        this.discard(1);
        continue;
      }
      if (this.pending.length < frameBytes) {
        this.skipToTrailingFrame();
        return;
      }
      // Copy: the frame outlives this buffer, and consumers may keep it.
      const candidate = Uint8Array.from(this.pending.subarray(0, frameBytes));
      if (frameChecksumOk(candidate, mode)) {
        this.pending = this.pending.subarray(frameBytes);
        this.counters.frames += 1;
        this.push(frameFields(candidate, mode) satisfies CcTalkFrame);
      } else {
        this.counters.checksumFailures += 1;
        this.discard(1);
      }
    }
  }

  /**
   * Noise just before a reply can make the framer wait for a frame that a stray length byte promised.
   * A reply arrives as a unit, so if the bytes so far end in a whole, checked frame, that frame is the
   * real one and the unfinished candidate before it was noise. (A checked frame hiding inside a real
   * partial one would cost that reply; the host's retry covers it, and reads are deduplicated.)
   */
  private skipToTrailingFrame(): void {
    const { mode } = this.options;
    const end = this.pending.length;
    for (let start = 1; start + frameOverheadBytes <= end; start += 1) {
      if (end - start > this.options.frameBytesMax) continue;
      if ((this.pending[start + 1] ?? 0) + frameOverheadBytes !== end - start) continue;
      if (frameChecksumOk(this.pending.subarray(start, end), mode)) {
        this.discard(start);
        this.cut();
        return;
      }
    }
  }

  private discard(byteCount: number): void {
    this.counters.bytesDiscarded += byteCount;
    this.pending = this.pending.subarray(byteCount);
  }
}
