import type { Duplex } from 'node:stream';
import type {
  Clock,
  CurrencyCode,
  Denomination,
  DeviceDiagnostics,
  DeviceEvent,
  DeviceFault,
  DeviceKind,
  SystemLimits,
} from '@cashin/shared';
import { denominationForCcTalkId } from '@cashin/shared';
import { DeviceStartError } from '../common/driver.js';
import type { FaultSet } from '../common/fault-set.js';
import type { PollLoop } from '../common/poll-loop.js';
import { crashingPollLoop } from '../common/poll-loop.js';
import type { CcTalkIdentity } from './cctalk-device.js';
import { CcTalkDevice, describeReplyError } from './cctalk-device.js';
import type { ChecksumMode } from './checksum.js';
import { counterStep } from './event-counter.js';
import { ccTalkChannelsMax, ccTalkHeaders } from './headers.js';
import type { BufferedEventPair, Parsed } from './parsers.js';
import { parseBufferedEvents, parseEmpty, parseSelfCheck } from './parsers.js';

/** What differs between the ccTalk acceptors (coin, bill) on the skeleton they share. */
export interface CcTalkAcceptorProfile {
  readonly kind: DeviceKind;
  /** Only denominations of this kind (and the configured currency) get a channel; the rest stay inhibited. */
  readonly denominationKind: Denomination['kind'];
  /** The header that reads a channel's id (184 coin, 157 bill) and the parser of its reply. */
  readonly requestChannelId: number;
  readonly parseChannelId: (data: Uint8Array) => Parsed<string>;
  /** The header that reads the event buffer and counter (229 coin, 159 bill). */
  readonly readBufferedEvents: number;
  /** Faults the device reports only as events, never as "fixed": a passing self-check (232) clears them. */
  readonly selfCheckClearable: readonly DeviceFault[];
  /**
   * Whether closing sends the master inhibit before the channel mask. A coin acceptor does, so it stops
   * taking coins at once; the bill validator has always sent the mask first.
   */
  readonly masterInhibitFirstWhenClosing: boolean;
}

export interface CcTalkAcceptorOptions {
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly stream: Duplex;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  readonly address: number;
  readonly checksum: ChecksumMode;
}

/** How the acceptor reaches back into the driver that owns it. */
export interface CcTalkAcceptorHooks {
  readonly emit: (event: DeviceEvent) => void;
  readonly faults: FaultSet;
  /** One fresh buffered event, oldest first; `newest` is true for the most recent one of a poll. */
  readonly handlePair: (pair: BufferedEventPair, newest: boolean) => void;
  /** Device-specific set-up: sent at start once the channel table is read, and again after a reset. */
  readonly configure?: () => Promise<void>;
  /** The device reset and forgot what it held (a bill in escrow); called before the `reset` event. */
  readonly forgetHeld?: () => void;
  /** Called on close once polling stopped and before the device is inhibited (a route still going). */
  readonly settle?: () => Promise<void>;
}

type EventsRead =
  { ok: true; counter: number; pairs: readonly BufferedEventPair[] } | { ok: false; what: string };

/**
 * What a ccTalk coin acceptor and bill validator do alike: identify the device and read its channel table,
 * take a baseline of the event counter, enable exactly the channels that fit the accept limit, poll the
 * event buffer and turn the counter into fresh events (`lostEvents` for overflow, `reset` when it went
 * back to 0), and re-check jam-like faults with a self-check. The driver that owns it says what each
 * event means, through `hooks.handlePair`.
 */
export class CcTalkAcceptor {
  readonly device: CcTalkDevice;
  readonly channels = new Map<number, Denomination>();
  private readonly loop: PollLoop;
  private identity: CcTalkIdentity = {};
  private lastCounter: number | undefined;
  private enabledMask = 0;
  private acceptLimit = 0;
  private started = false;
  /** True while the device does not answer polls, so a long silence raises one fault, not one per poll. */
  private silent = false;
  private pollsSinceRecheck = 0;

  constructor(
    private readonly options: CcTalkAcceptorOptions,
    private readonly profile: CcTalkAcceptorProfile,
    private readonly hooks: CcTalkAcceptorHooks,
  ) {
    this.device = new CcTalkDevice({
      stream: options.stream,
      clock: options.clock,
      limits: options.limits,
      address: options.address,
      mode: options.checksum,
    });
    this.loop = crashingPollLoop(options.clock, options.limits.ccTalkPollIntervalMs, () => this.poll());
  }

  /** The accept limit last set, in minor units; 0 until the deposit sets one. */
  get acceptLimitMinor(): number {
    return this.acceptLimit;
  }

  /** True while every channel is inhibited. */
  get refusing(): boolean {
    return this.enabledMask === 0;
  }

  async start(): Promise<void> {
    const name = this.options.name;
    const poll = await this.device.raw(ccTalkHeaders.simplePoll);
    if (!poll.ok) throw new DeviceStartError(name, `no answer to simple poll (${poll.failure})`);
    this.identity = await this.device.identify();
    await this.readChannelTable();
    await this.hooks.configure?.();
    const baseline = await this.readEvents();
    if (!baseline.ok) throw new DeviceStartError(name, baseline.what);
    this.lastCounter = baseline.counter;
    await this.applyInhibits();
    this.started = true;
    this.hooks.emit({ device: name, type: 'connected' });
    this.loop.start();
  }

  /**
   * Enables exactly the channels worth at most `remainingMinor`; 0 inhibits everything. Resolves true once
   * the device acknowledged both the channel mask (231) and the master inhibit (228).
   */
  async setAcceptLimit(remainingMinor: number): Promise<boolean> {
    this.acceptLimit = remainingMinor;
    let mask = 0;
    for (const [channel, denomination] of this.channels)
      if (denomination.valueMinor <= remainingMinor) mask |= 1 << (channel - 1);
    this.enabledMask = mask;
    return this.applyInhibits();
  }

  async selfTest(): Promise<DeviceDiagnostics> {
    const check = await this.device.ask(ccTalkHeaders.performSelfCheck, [], parseSelfCheck);
    const echo = this.device.echoDetected;
    return {
      device: this.options.name,
      kind: this.profile.kind,
      ...this.identity,
      ...(check.ok ? { selfCheckFaultCode: check.value.faultCode } : {}),
      channels: [...this.channels].map(([channel, d]) => ({
        channel,
        ccTalkId: d.ccTalkId,
        valueMinor: d.valueMinor,
      })),
      ...(echo === undefined ? {} : { echoDetected: echo }),
      ok: check.ok && check.value.faultCode === 0,
      ...(check.ok ? {} : { detail: describeReplyError(check.error) }),
    };
  }

  /** Stops polling and releases the stream, leaving the device refusing money if it was ever started. */
  async close(): Promise<void> {
    await this.loop.stop();
    await this.hooks.settle?.();
    // A kiosk that stops listening must not keep swallowing money.
    if (this.started) await this.setAcceptLimit(0);
    this.device.close();
  }

  private async readChannelTable(): Promise<void> {
    this.channels.clear();
    for (let channel = 1; channel <= ccTalkChannelsMax; channel += 1) {
      const reply = await this.device.ask(
        this.profile.requestChannelId,
        [channel],
        this.profile.parseChannelId,
      );
      if (!reply.ok) continue;
      const denomination = denominationForCcTalkId(reply.value);
      // A denomination of another currency, or one we do not know, stays inhibited: it maps to nothing.
      if (
        denomination &&
        denomination.currency === this.options.currency &&
        denomination.kind === this.profile.denominationKind
      )
        this.channels.set(channel, denomination);
    }
  }

  private async applyInhibits(): Promise<boolean> {
    const mask = this.enabledMask;
    const channelStep: [number, number[]] = [ccTalkHeaders.modifyInhibitStatus, [mask & 0xff, mask >> 8]];
    const masterStep: [number, number[]] = [ccTalkHeaders.modifyMasterInhibit, [mask === 0 ? 0 : 1]];
    const steps =
      mask === 0 && this.profile.masterInhibitFirstWhenClosing
        ? [masterStep, channelStep]
        : [channelStep, masterStep];
    let ok = true;
    for (const [header, data] of steps) {
      const reply = await this.device.ask(header, data, parseEmpty);
      if (!reply.ok) ok = false;
    }
    // A device that did not take its inhibits may accept what the deposit cannot: that is a fault.
    if (!ok) this.hooks.faults.raise('protocolError', 'inhibit not acknowledged');
    return ok;
  }

  private async readEvents(): Promise<EventsRead> {
    const reply = await this.device.ask(this.profile.readBufferedEvents, [], (d) =>
      parseBufferedEvents(d, this.options.limits.ccTalkEventBufferSize),
    );
    if (!reply.ok) return { ok: false, what: describeReplyError(reply.error) };
    return { ok: true, counter: reply.value.counter, pairs: reply.value.pairs };
  }

  private async poll(): Promise<void> {
    const { faults, emit } = this.hooks;
    const reply = await this.readEvents();
    if (!reply.ok) {
      // Still the same money: a missed poll is retried next time, events are deduplicated by counter.
      if (!this.silent) faults.raise('protocolError', reply.what);
      this.silent = true;
      return;
    }
    if (this.silent) {
      this.silent = false;
      faults.clear('protocolError');
    }
    const step = counterStep(this.lastCounter, reply.counter, this.options.limits.ccTalkEventBufferSize);
    if (step.kind === 'reset') {
      this.lastCounter = 0;
      this.hooks.forgetHeld?.();
      emit({ device: this.options.name, type: 'reset' });
      // The device came back with its power-up settings: set it up and send the inhibit masks again.
      await this.hooks.configure?.();
      await this.applyInhibits();
    } else if (step.kind === 'events') {
      this.lastCounter = reply.counter;
      if (step.lost > 0) emit({ device: this.options.name, type: 'lostEvents', count: step.lost });
      for (let i = step.fresh - 1; i >= 0; i -= 1) {
        const pair = reply.pairs[i];
        if (pair) this.hooks.handlePair(pair, i === 0);
      }
    }
    await this.recheckFaults();
  }

  /** While a jam-like fault is active, a self-check every few polls tells us when it was cleared. */
  private async recheckFaults(): Promise<void> {
    const { faults } = this.hooks;
    const clearable = this.profile.selfCheckClearable;
    if (!clearable.some((fault) => faults.has(fault))) return;
    this.pollsSinceRecheck += 1;
    if (this.pollsSinceRecheck < this.options.limits.ccTalkFaultRecheckPolls) return;
    this.pollsSinceRecheck = 0;
    const check = await this.device.ask(ccTalkHeaders.performSelfCheck, [], parseSelfCheck);
    if (check.ok && check.value.faultCode === 0) for (const fault of clearable) faults.clear(fault);
  }
}
