import type { Duplex } from 'node:stream';
import type { Clock, SystemLimits } from '@cashin/shared';
import type { ChecksumMode } from '@cashin/terminal-app/devices/cctalk/checksum.js';
import type { CcTalkFrame } from '@cashin/terminal-app/devices/cctalk/frame.js';
import { encodeFrame } from '@cashin/terminal-app/devices/cctalk/frame.js';
import { CcTalkFramer } from '@cashin/terminal-app/devices/cctalk/framer.js';
import { ccTalkAddresses, ccTalkHeaders } from '@cashin/terminal-app/devices/cctalk/headers.js';
import { lineTimeMs } from './line-timing.js';

/** What a simulated device answers to one request; undefined stays silent (an unknown header). */
export type SlaveReply = { header: number; data?: ArrayLike<number> } | undefined;

export interface SlaveLinkOptions {
  readonly address: number;
  readonly mode: ChecksumMode;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  /** Whether the line echoes the host's bytes back, as a single-wire ccTalk bus does. */
  echo: boolean;
  /** Time the device takes to start answering; the spec says simple commands are answered in ~10 ms. */
  replyLatencyMs: number;
  /** Baud rate used to pace bytes; undefined sends as fast as the pipe takes them (for fast tests). */
  baud: number | undefined;
}

/**
 * The device end of a ccTalk bus: frames requests addressed to this device, asks the device model for a
 * reply and writes it back with realistic timing, echo included when the line has one. Fault switches
 * (mute for unplug, extra latency for slow replies, garbage bytes) act here, below the device model.
 */
export class SlaveLink {
  muted = false;
  private stream: Duplex | undefined;
  private framer: CcTalkFramer | undefined;
  private busyUntilMs = 0;

  constructor(
    readonly options: SlaveLinkOptions,
    private readonly handle: (frame: CcTalkFrame) => SlaveReply,
  ) {}

  attach(stream: Duplex): void {
    this.detach();
    const framer = new CcTalkFramer({
      mode: this.options.mode,
      clock: this.options.clock,
      interByteTimeoutMs: this.options.limits.ccTalkInterByteTimeoutMs,
      frameBytesMax: this.options.limits.ccTalkFrameBytesMax,
    });
    framer.on('data', (frame: CcTalkFrame) => this.onFrame(stream, frame));
    stream.pipe(framer);
    stream.on('error', () => this.detach());
    this.stream = stream;
    this.framer = framer;
  }

  detach(): void {
    if (this.stream && this.framer) this.stream.unpipe(this.framer);
    this.stream = undefined;
    this.framer = undefined;
  }

  get attached(): boolean {
    return this.stream !== undefined;
  }

  /** Line noise: bytes that frame nothing. */
  writeGarbage(bytes: Uint8Array): void {
    this.write(bytes);
  }

  private onFrame(stream: Duplex, frame: CcTalkFrame): void {
    if (this.muted || frame.dest !== this.options.address || stream !== this.stream) return;
    const { clock, baud, echo } = this.options;
    // The request itself occupied the line for its own length; its echo arrives as it is sent.
    if (echo) this.write(frame.bytes);
    const reply = this.handle(frame);
    if (!reply) return;
    const bytes = encodeFrame(
      this.options.mode,
      ccTalkAddresses.host,
      this.options.address,
      reply.header,
      reply.data ?? [],
    );
    const lineMs = baud === undefined ? 0 : lineTimeMs(frame.bytes.length + bytes.length, baud);
    const dueMs = Math.max(clock.nowMs(), this.busyUntilMs) + this.options.replyLatencyMs + lineMs;
    this.busyUntilMs = dueMs;
    clock.setTimeout(() => {
      if (!this.muted && this.stream === stream) this.write(bytes);
    }, dueMs - clock.nowMs());
  }

  private write(bytes: Uint8Array): void {
    const stream = this.stream;
    if (stream && !stream.destroyed && stream.writable) stream.write(Buffer.from(bytes));
  }
}

export const ackReply: SlaveReply = { header: ccTalkHeaders.reply };
export const nakReply: SlaveReply = { header: ccTalkHeaders.nak };
