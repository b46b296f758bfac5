import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '@cashin/shared';
import type { ChecksumMode } from './checksum.js';
import type { CcTalkFrame } from './frame.js';
import { encodeFrame } from './frame.js';
import { CcTalkFramer } from './framer.js';
import { ccTalkAddresses, ccTalkHeaders } from './headers.js';

export interface CcTalkHostOptions {
  readonly mode: ChecksumMode;
  readonly clock: Clock;
  readonly replyTimeoutMs: number;
  readonly retriesMax: number;
  readonly interByteTimeoutMs: number;
  readonly frameBytesMax: number;
  readonly hostAddress?: number;
}

/** Why a request got no usable reply. Expected on a real bus, so a value, not an exception. */
export type CcTalkFailure = 'timeout' | 'nak' | 'busy' | 'closed';

export type CcTalkResult = { ok: true; data: Uint8Array } | { ok: false; failure: CcTalkFailure };

export interface CcTalkRequestOptions {
  /**
   * Whether a timed-out request may be sent again. Reads are safe to repeat; a command with an effect
   * (route bill) is not, because its reply may be what was lost.
   */
  readonly retry?: boolean;
  /**
   * Whether an ACK's data has the shape this request's reply must have. A reply that does not is taken
   * for a late answer to an earlier, timed-out request and skipped; the real one may still follow.
   */
  readonly accept?: (data: Uint8Array) => boolean;
}

interface InFlight {
  readonly dest: number;
  readonly accept: ((data: Uint8Array) => boolean) | undefined;
  readonly sent: Uint8Array;
  readonly resolve: (result: CcTalkResult) => void;
  timer: TimerHandle | undefined;
}

export interface CcTalkHostCounters {
  requests: number;
  timeouts: number;
  retries: number;
  echoesStripped: number;
  foreignFrames: number;
  staleReplies: number;
}

/**
 * The host side of a ccTalk bus: one request at a time, each answered by a reply from the addressed
 * device or by a timeout, retried up to `retriesMax` times when that is safe.
 *
 * Echo: on the single-wire bus the host reads its own frame back before the reply. The host drops a frame
 * that equals what it just sent and remembers that the bus echoes (`echoDetected`), so the same code works
 * with and without an echoing adapter, no configuration needed.
 */
export class CcTalkHost {
  readonly counters: CcTalkHostCounters = {
    requests: 0,
    timeouts: 0,
    retries: 0,
    echoesStripped: 0,
    foreignFrames: 0,
    staleReplies: 0,
  };
  /** Undefined until the first reply shows whether an echo preceded it. */
  echoDetected: boolean | undefined;
  private readonly framer: CcTalkFramer;
  private readonly hostAddress: number;
  private inFlight: InFlight | undefined;
  private echoSeenForInFlight = false;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly onFrame = (frame: CcTalkFrame): void => this.handleFrame(frame);

  constructor(
    private readonly stream: Duplex,
    private readonly options: CcTalkHostOptions,
  ) {
    this.hostAddress = options.hostAddress ?? ccTalkAddresses.host;
    this.framer = new CcTalkFramer({
      mode: options.mode,
      clock: options.clock,
      interByteTimeoutMs: options.interByteTimeoutMs,
      frameBytesMax: options.frameBytesMax,
    });
    stream.pipe(this.framer);
    this.framer.on('data', this.onFrame);
  }

  get framerCounters(): CcTalkFramer['counters'] {
    return this.framer.counters;
  }

  /** Sends `header` to `dest` and resolves with the reply's data, or why there is none. */
  request(
    dest: number,
    header: number,
    data: ArrayLike<number> = [],
    requestOptions: CcTalkRequestOptions = {},
  ): Promise<CcTalkResult> {
    const run = async (): Promise<CcTalkResult> => {
      const attemptsMax = requestOptions.retry === false ? 1 : this.options.retriesMax + 1;
      let result: CcTalkResult = { ok: false, failure: 'timeout' };
      for (let attempt = 0; attempt < attemptsMax; attempt += 1) {
        if (attempt > 0) this.counters.retries += 1;
        result = await this.once(dest, header, data, requestOptions.accept);
        if (result.ok || result.failure === 'nak' || result.failure === 'closed') return result;
      }
      return result;
    };
    const next = this.queue.then(run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.unpipe(this.framer);
    this.framer.off('data', this.onFrame);
    this.finish({ ok: false, failure: 'closed' });
  }

  private once(
    dest: number,
    header: number,
    data: ArrayLike<number>,
    accept: ((data: Uint8Array) => boolean) | undefined,
  ): Promise<CcTalkResult> {
    if (this.closed) return Promise.resolve({ ok: false, failure: 'closed' });
    return new Promise((resolve) => {
      const sent = encodeFrame(this.options.mode, dest, this.hostAddress, header, data);
      const inFlight: InFlight = { dest, accept, sent, resolve, timer: undefined };
      this.inFlight = inFlight;
      this.echoSeenForInFlight = false;
      this.counters.requests += 1;
      inFlight.timer = this.options.clock.setTimeout(() => {
        if (this.inFlight !== inFlight) return;
        this.counters.timeouts += 1;
        this.finish({ ok: false, failure: 'timeout' });
      }, this.options.replyTimeoutMs);
      this.stream.write(sent);
    });
  }

  private handleFrame(frame: CcTalkFrame): void {
    const inFlight = this.inFlight;
    if (inFlight && !this.echoSeenForInFlight && sameBytes(frame.bytes, inFlight.sent)) {
      this.echoSeenForInFlight = true;
      this.counters.echoesStripped += 1;
      return;
    }
    // Anything else not addressed to us is another node's traffic (or our echo from an earlier,
    // timed-out request); in CRC mode the src byte is the CRC, so only simple mode can check the sender.
    const fromAddressed = inFlight !== undefined && (frame.src === undefined || frame.src === inFlight.dest);
    if (frame.dest !== this.hostAddress || !fromAddressed) {
      this.counters.foreignFrames += 1;
      return;
    }
    // On a bus known to echo, the device answers only after our request has come back to us: a reply
    // before this request's echo is a late answer to an earlier, timed-out one (a channel table read under
    // load would otherwise shift every later channel by one). The real reply follows the echo.
    if (this.echoDetected === true && !this.echoSeenForInFlight) {
      this.counters.staleReplies += 1;
      return;
    }
    if (frame.header === ccTalkHeaders.reply && inFlight.accept && !inFlight.accept(frame.data)) {
      this.counters.staleReplies += 1;
      return;
    }
    this.echoDetected = this.echoSeenForInFlight;
    if (frame.header === ccTalkHeaders.reply) this.finish({ ok: true, data: frame.data });
    else if (frame.header === ccTalkHeaders.busy) this.finish({ ok: false, failure: 'busy' });
    else this.finish({ ok: false, failure: 'nak' });
  }

  private finish(result: CcTalkResult): void {
    const inFlight = this.inFlight;
    if (!inFlight) return;
    this.inFlight = undefined;
    if (inFlight.timer) this.options.clock.clearTimeout(inFlight.timer);
    inFlight.resolve(result);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
