import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '@cashin/shared';
import { DriverStream } from '../common/driver-stream.js';
import type { CounterCommand, CounterReply } from './scan-coin-protocol.js';
import { checkReply, encodeCommand, replyBytes } from './scan-coin-protocol.js';

export type CounterResult = CounterReply | { ok: false; why: 'timeout' };

/**
 * Request/reply over the counter's line. Replies have a length fixed by the command, so the link reads
 * exactly that many bytes; a short reply is whatever arrived by the timeout (a lone NAK among them).
 * Bytes that arrive with no request outstanding are line noise and are dropped.
 */
export class CounterLink {
  private expected: { bytes: number; got: number[]; done: (result: CounterResult) => void } | undefined;
  private timer: TimerHandle | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly line: DriverStream<Buffer>;
  droppedBytes = 0;

  constructor(
    stream: Duplex,
    private readonly clock: Clock,
    private readonly replyTimeoutMs: number,
  ) {
    this.line = new DriverStream(stream, (chunk: Buffer) => this.handle(chunk));
    this.line.listen();
  }

  replaceStream(stream: Duplex): void {
    this.line.replaceStream(stream);
  }

  close(): void {
    this.line.stop();
  }

  request(command: CounterCommand, arg?: number): Promise<CounterResult> {
    const run = (): Promise<CounterResult> =>
      new Promise((resolve) => {
        const bytes = replyBytes(command);
        const finish = (result: CounterResult): void => {
          if (this.timer) this.clock.clearTimeout(this.timer);
          this.timer = undefined;
          this.expected = undefined;
          resolve(result);
        };
        this.expected = { bytes, got: [], done: finish };
        this.timer = this.clock.setTimeout(() => {
          const got = this.expected?.got ?? [];
          finish(got.length === 0 ? { ok: false, why: 'timeout' } : checkReply(Uint8Array.from(got), bytes));
        }, this.replyTimeoutMs);
        this.line.write(Buffer.from(encodeCommand(command, arg)));
      });
    const next = this.queue.then(run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private handle(chunk: Buffer): void {
    for (const byte of chunk) {
      const expected = this.expected;
      if (!expected) {
        this.droppedBytes += 1;
        continue;
      }
      expected.got.push(byte);
      if (expected.got.length === expected.bytes) {
        expected.done(checkReply(Uint8Array.from(expected.got), expected.bytes));
      }
    }
  }
}
