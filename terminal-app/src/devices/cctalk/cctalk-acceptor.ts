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
import type { DeviceAlarmKind } from '../common/driver.js';
import { DeviceStartError } from '../common/driver.js';
import type { FaultSet } from '../common/fault-set.js';
import type { PollLoop } from '../common/poll-loop.js';
import { crashingPollLoop } from '../common/poll-loop.js';
import type { CcTalkIdentity, CcTalkReply } from './cctalk-device.js';
import { CcTalkDevice, describeReplyError } from './cctalk-device.js';
import type { ChecksumMode } from './checksum.js';
import type { EventCounterBaseline } from './event-counter.js';
import { counterBefore, counterStep, withEventCounter } from './event-counter.js';
import { ccTalkChannelsMax, ccTalkHeaders } from './headers.js';
import type { BufferedEventPair, Parsed } from './parsers.js';
import { parseBufferedEvents, parseEmpty, parseSelfCheck } from './parsers.js';

/**
 * A self-check reply in the fault words the screens translate. A device that refused (NAK, busy) or garbled
 * its reply did answer: that is a communication fault; silence is not answering at all.
 */
function selfCheckFindings(check: CcTalkReply<{ faultCode: number }>): {
  answered: boolean;
  faults: DeviceFault[];
} {
  if (check.ok) return { answered: true, faults: check.value.faultCode === 0 ? [] : ['selfCheckFailed'] };
  const silent =
    check.error.kind === 'noReply' && (check.error.failure === 'timeout' || check.error.failure === 'closed');
  return silent ? { answered: false, faults: [] } : { answered: true, faults: ['protocolError'] };
}

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
  /**
   * The event counter of the last event the journal wrote for this device. When given, events after it that
   * the device still buffers are reported at start (a crash between a coin and its poll loses nothing),
   * unless the device says it is another one (both serial numbers known, and different): then the device's
   * current counter is the baseline and its buffer predates this host. A serial number that is not known on
   * one side confirms nothing either way: the events are reported and flagged as lost events for review.
   */
  readonly eventCounterBaseline?: EventCounterBaseline | undefined;
  /**
   * How often to poll while any channel is enabled (a deposit is taking money), so what goes in shows
   * quickly; the normal `ccTalkPollIntervalMs` while everything is inhibited. Undefined: always normal.
   */
  readonly pollIntervalAcceptingMs?: number | undefined;
}

/** How the acceptor reaches back into the driver that owns it. */
export interface CcTalkAcceptorHooks {
  readonly emit: (event: DeviceEvent) => void;
  readonly faults: FaultSet;
  /** A one-off alarm for the log (see `DeviceAlarm`). */
  readonly alarm: (alarm: DeviceAlarmKind, detail: string) => void;
  /** One fresh buffered event, oldest first; `newest` is true for the most recent one of a poll. */
  readonly handlePair: (pair: BufferedEventPair, newest: boolean) => void;
  /** Device-specific set-up: sent at start once the channel table is read, and again after a reset. */
  readonly configure?: () => Promise<void>;
  /** The device reset and forgot what it held (a bill in escrow); called before the `reset` event. */
  readonly forgetHeld?: () => void;
  /** Called on close once polling stopped and before the device is inhibited (a route still going). */
  readonly settle?: () => Promise<void>;
}

/**
 * How many times one inhibit update is sent before the driver calls it failed; each command in it is also
 * retried by the host on a timeout. A failed update is a fault, and is sent again every
 * `ccTalkFaultRecheckPolls` polls until the device takes it.
 */
export const inhibitAttemptsMax = 3;

/** The causes of an acceptor's `protocolError`: it stands while either does. */
const protocolErrorCause = { poll: 'poll', inhibits: 'inhibits' } as const;

/** Where the driver's event counter starts, and why. */
type ResumePoint =
  | { kind: 'device'; counter: number }
  | { kind: 'journal'; counter: number }
  | { kind: 'unconfirmed'; counter: number };

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
  private reporting: number | undefined;
  private startedFrom: number | undefined;
  private resumed = false;
  private inhibitsSent: Promise<unknown> = Promise.resolve();
  private enabledMask = 0;
  private acceptLimit = 0;
  private started = false;
  private pollsSinceRecheck = 0;
  /** True while the last inhibit update went unacknowledged: it is sent again until the device takes it. */
  private inhibitsUnacknowledged = false;
  private pollsSinceInhibitRetry = 0;

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

  /**
   * The event counter this driver started from (the journal's, or the device's when the journal had none):
   * the agent journals it for a device the journal did not know yet, so its next start has a baseline.
   */
  get startCounter(): number | undefined {
    return this.startedFrom;
  }

  /**
   * True when the driver started from the journal's event counter (this device, or one that could not say
   * it is another); false when it started from the device's own counter. The agent journals the starting
   * counter afresh only when this is false: a serial number that could not be read must not overwrite the
   * journaled one.
   */
  get resumedFromJournal(): boolean {
    return this.resumed;
  }

  /** The device's serial number as it reported it at start; null when it did not say. */
  get serialNumber(): string | null {
    return this.identity.serialNumber ?? null;
  }

  /**
   * While a buffered event is being handed to the driver: the device's event counter right after that
   * event, for the driver to stamp on what it emits (`withEventCounter`). Undefined otherwise.
   */
  get reportingCounter(): number | undefined {
    return this.reporting;
  }

  /** How often the device is polled now: faster while it takes money, when the driver asked for that. */
  get pollIntervalMs(): number {
    return this.loop.currentIntervalMs;
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
    const resume = this.resumePoint(baseline.counter);
    this.lastCounter = resume.counter;
    this.startedFrom = resume.counter;
    this.resumed = resume.kind !== 'device';
    await this.applyInhibits();
    this.started = true;
    this.hooks.emit({ device: name, type: 'connected' });
    if (resume.kind === 'unconfirmed') this.flagUnconfirmed(resume.counter, baseline.counter);
    // What the device kept since the last event the journal holds: reported now, before any deposit can
    // open, so the agent's recovery puts it where it belongs.
    if (this.resumed) await this.take(baseline.counter, baseline.pairs);
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
    const { limits, pollIntervalAcceptingMs } = this.options;
    this.loop.setIntervalMs(
      mask !== 0 && pollIntervalAcceptingMs !== undefined
        ? pollIntervalAcceptingMs
        : limits.ccTalkPollIntervalMs,
    );
    return this.applyInhibits();
  }

  /**
   * The journal's counter when the device is the one it was read from, or cannot say it is not (its serial
   * number, or the journal's, unknown even after retries): treating that as a new device would skip what
   * it buffered before a crash without a word. The device's counter only for a device that is another.
   */
  private resumePoint(deviceCounter: number): ResumePoint {
    const known = this.options.eventCounterBaseline;
    if (known === undefined) return { kind: 'device', counter: deviceCounter };
    const serial = this.serialNumber;
    if (known.serial !== null && serial !== null) {
      return known.serial === serial
        ? { kind: 'journal', counter: known.counter }
        : { kind: 'device', counter: deviceCounter };
    }
    return { kind: 'unconfirmed', counter: known.counter };
  }

  /**
   * The events since the journal's counter are reported, but whose they are cannot be confirmed: they are
   * preceded by `lostEvents` for as many, so the deposit they land in is held for review.
   */
  private flagUnconfirmed(journaled: number, deviceCounter: number): void {
    const known = this.options.eventCounterBaseline;
    this.hooks.alarm(
      'identityUnconfirmed',
      `serial number ${this.serialNumber ?? 'unreadable'}, journal has ${known?.serial ?? 'none'}`,
    );
    const step = counterStep(journaled, deviceCounter, this.options.limits.ccTalkEventBufferSize);
    // A reset is reported as one by `take`, which holds the deposit for review all the same.
    if (step.kind !== 'events' || step.fresh === 0) return;
    this.reporting = journaled;
    try {
      this.hooks.emit(
        withEventCounter({ device: this.options.name, type: 'lostEvents', count: step.fresh }, journaled),
      );
    } finally {
      this.reporting = undefined;
    }
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
      ...selfCheckFindings(check),
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

  /**
   * Sends the inhibit masks, one update at a time. Each update is two commands; two updates running at once
   * (the deposit closing and reopening in quick succession) could interleave them and leave the device
   * with the old channel mask and the new master inhibit, refusing coins the driver believes enabled. Each
   * update sends the newest mask when its turn comes.
   */
  private applyInhibits(): Promise<boolean> {
    const update = this.inhibitsSent.then(() => this.sendInhibitsWithRetries());
    this.inhibitsSent = update.catch(() => false);
    return update;
  }

  /**
   * One failed command is not yet a fault (a NAK, a reply lost to noise): the update is sent again, up to
   * `inhibitAttemptsMax` times. An update that never got through is a fault, because the device may accept
   * what the deposit cannot take; the next update that gets through clears it.
   */
  private async sendInhibitsWithRetries(): Promise<boolean> {
    const { faults } = this.hooks;
    for (let attempt = 0; attempt < inhibitAttemptsMax; attempt += 1) {
      if (await this.sendInhibits()) {
        this.inhibitsUnacknowledged = false;
        faults.clear('protocolError', protocolErrorCause.inhibits);
        return true;
      }
    }
    this.inhibitsUnacknowledged = true;
    faults.raise('protocolError', 'inhibit not acknowledged', protocolErrorCause.inhibits);
    return false;
  }

  private async sendInhibits(): Promise<boolean> {
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
    const { faults } = this.hooks;
    const reply = await this.readEvents();
    if (!reply.ok) {
      // Still the same money: a missed poll is retried next time, events are deduplicated by counter. A
      // long silence raises one fault, not one per poll.
      faults.raise('protocolError', reply.what, protocolErrorCause.poll);
      return;
    }
    faults.clear('protocolError', protocolErrorCause.poll);
    await this.take(reply.counter, reply.pairs);
    await this.retryInhibits();
    await this.recheckFaults();
  }

  /** While the last inhibit update went unacknowledged, it is sent again every few polls. */
  private async retryInhibits(): Promise<void> {
    if (!this.inhibitsUnacknowledged) return;
    this.pollsSinceInhibitRetry += 1;
    if (this.pollsSinceInhibitRetry < this.options.limits.ccTalkFaultRecheckPolls) return;
    this.pollsSinceInhibitRetry = 0;
    await this.applyInhibits();
  }

  /** Turns a 229/159 reply into fresh events, each stamped with the counter right after it. */
  private async take(counter: number, pairs: readonly BufferedEventPair[]): Promise<void> {
    const { emit } = this.hooks;
    const step = counterStep(this.lastCounter, counter, this.options.limits.ccTalkEventBufferSize);
    if (step.kind === 'reset') {
      this.lastCounter = 0;
      this.hooks.forgetHeld?.();
      this.reporting = 0;
      emit(withEventCounter({ device: this.options.name, type: 'reset' }, 0));
      this.reporting = undefined;
      // The device came back with its power-up settings: set it up and send the inhibit masks again.
      await this.hooks.configure?.();
      await this.applyInhibits();
    } else if (step.kind === 'events') {
      this.lastCounter = counter;
      try {
        if (step.lost > 0) {
          this.reporting = counterBefore(counter, step.fresh);
          emit(
            withEventCounter(
              { device: this.options.name, type: 'lostEvents', count: step.lost },
              this.reporting,
            ),
          );
        }
        for (let i = step.fresh - 1; i >= 0; i -= 1) {
          const pair = pairs[i];
          this.reporting = counterBefore(counter, i);
          if (pair) this.hooks.handlePair(pair, i === 0);
        }
      } finally {
        this.reporting = undefined;
      }
    }
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
