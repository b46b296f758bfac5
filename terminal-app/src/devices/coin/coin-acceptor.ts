import type { Duplex } from 'node:stream';
import type {
  Clock,
  CurrencyCode,
  DeviceDiagnostics,
  DeviceEvent,
  DeviceStatus,
  Denomination,
  SystemLimits,
} from '@cashin/shared';
import { denominationForCcTalkId } from '@cashin/shared';
import type { CcTalkIdentity } from '../cctalk/cctalk-device.js';
import { CcTalkDevice, describeReplyError } from '../cctalk/cctalk-device.js';
import type { ChecksumMode } from '../cctalk/checksum.js';
import { classifyCoinError } from '../cctalk/coin-errors.js';
import { counterStep } from '../cctalk/event-counter.js';
import { ccTalkAddresses, ccTalkChannelsMax, ccTalkHeaders } from '../cctalk/headers.js';
import type { BufferedEventPair } from '../cctalk/parsers.js';
import { parseBufferedEvents, parseCoinId, parseEmpty, parseSelfCheck } from '../cctalk/parsers.js';
import type { DeviceDriver } from '../common/driver.js';
import { DeviceStartError } from '../common/driver.js';
import { DeviceEventHub } from '../common/event-hub.js';
import { FaultSet } from '../common/fault-set.js';
import { PollLoop } from '../common/poll-loop.js';

export interface CoinAcceptorOptions {
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly stream: Duplex;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  readonly address?: number;
  readonly checksum?: ChecksumMode;
}

/** Faults that a passing self-check (232) clears: the device reports them as events, never as "fixed". */
const selfCheckClearable = ['jam', 'flightDeckOpen', 'selfCheckFailed'] as const;

/**
 * A ccTalk coin acceptor (address 2, 8-bit checksum by default).
 *
 * `start()` identifies the device, reads its coin table (184) and maps every channel to a shared
 * denomination, takes a baseline of the event counter, and leaves every coin inhibited. The deposit then
 * calls `setAcceptLimit(remainingMinor)`: only channels whose coin still fits are enabled, so the acceptor
 * itself returns a coin the deposit could not take. `inhibitAll()` closes it again.
 *
 * It polls 229 every `ccTalkPollIntervalMs` and turns the event counter into events: `credit` per coin,
 * `reject` (rejected, inhibited), `fault` (jam, fraud attempt, flight deck open), `lostEvents` when more
 * than the device's buffer happened between two polls, and `reset` when the counter went back to 0, after
 * which it re-sends the inhibit masks.
 */
export class CoinAcceptor implements DeviceDriver {
  readonly kind = 'coinAcceptor' as const;
  readonly name: string;
  private readonly device: CcTalkDevice;
  private readonly hub: DeviceEventHub;
  private readonly faults: FaultSet;
  private readonly loop: PollLoop;
  private readonly channels = new Map<number, Denomination>();
  private identity: CcTalkIdentity = {};
  private lastCounter: number | undefined;
  private enabledMask = 0;
  private started = false;
  private closed = false;
  private pollsSinceRecheck = 0;
  private silent = false;

  constructor(private readonly options: CoinAcceptorOptions) {
    this.name = options.name;
    this.device = new CcTalkDevice({
      stream: options.stream,
      clock: options.clock,
      limits: options.limits,
      address: options.address ?? ccTalkAddresses.coinAcceptor,
      mode: options.checksum ?? 'simple',
    });
    this.hub = new DeviceEventHub(options.name, options.limits.deviceEventQueueMax);
    this.faults = new FaultSet(options.name, (event) => this.emit(event));
    this.loop = new PollLoop(
      options.clock,
      options.limits.ccTalkPollIntervalMs,
      () => this.poll(),
      (error) => {
        // A throw inside a poll is a bug in this driver; crash loudly rather than stop counting quietly.
        queueMicrotask(() => {
          throw error;
        });
      },
    );
  }

  /** The coins this acceptor can take, by channel (1..16), as read from 184. */
  get coinTable(): ReadonlyMap<number, Denomination> {
    return this.channels;
  }

  get echoDetected(): boolean | undefined {
    return this.device.echoDetected;
  }

  subscribe(listener: (event: DeviceEvent) => void): () => void {
    return this.hub.subscribe(listener);
  }

  events(signal?: AbortSignal): AsyncIterable<DeviceEvent> {
    return this.hub.iterate(signal);
  }

  async start(): Promise<void> {
    const poll = await this.device.raw(ccTalkHeaders.simplePoll);
    if (!poll.ok) throw new DeviceStartError(this.name, `no answer to simple poll (${poll.failure})`);
    this.identity = await this.device.identify();
    await this.readCoinTable();
    const baseline = await this.readEvents();
    if (!baseline.ok) throw new DeviceStartError(this.name, baseline.what);
    this.lastCounter = baseline.counter;
    await this.applyInhibits();
    this.started = true;
    this.emit({ device: this.name, type: 'connected' });
    this.loop.start();
  }

  /**
   * Enables exactly the coins worth at most `remainingMinor`; 0 inhibits everything. Resolves true once
   * the acceptor acknowledged both the channel mask (231) and the master inhibit (228).
   */
  async setAcceptLimit(remainingMinor: number): Promise<boolean> {
    let mask = 0;
    for (const [channel, denomination] of this.channels) {
      if (denomination.valueMinor <= remainingMinor) mask |= 1 << (channel - 1);
    }
    this.enabledMask = mask;
    return this.applyInhibits();
  }

  inhibitAll(): Promise<boolean> {
    return this.setAcceptLimit(0);
  }

  /** Moves the driver onto a new byte pipe after the port reconnected; the counter baseline is kept. */
  replaceStream(stream: Duplex): void {
    this.device.replaceStream(stream);
  }

  status(): DeviceStatus {
    const faults = this.faults.list();
    const state = this.closed
      ? 'disconnected'
      : faults.length > 0
        ? 'faulted'
        : this.enabledMask === 0
          ? 'disabled'
          : 'ok';
    return { device: this.name, kind: this.kind, state, faults };
  }

  async selfTest(): Promise<DeviceDiagnostics> {
    const check = await this.device.ask(ccTalkHeaders.performSelfCheck, [], parseSelfCheck);
    const channels = [...this.channels].map(([channel, d]) => ({
      channel,
      ccTalkId: d.ccTalkId,
      valueMinor: d.valueMinor,
    }));
    const echo = this.device.echoDetected;
    return {
      device: this.name,
      kind: this.kind,
      ...this.identity,
      ...(check.ok ? { selfCheckFaultCode: check.value.faultCode } : {}),
      channels,
      ...(echo === undefined ? {} : { echoDetected: echo }),
      ok: check.ok && check.value.faultCode === 0,
      ...(check.ok ? {} : { detail: describeReplyError(check.error) }),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.loop.stop();
    // Leave the acceptor refusing coins: a kiosk that stops listening must not keep swallowing money.
    if (this.started) await this.inhibitAll();
    this.closed = true;
    this.device.close();
    this.hub.close();
  }

  private emit(event: DeviceEvent): void {
    this.hub.emit(event);
  }

  private async readCoinTable(): Promise<void> {
    this.channels.clear();
    for (let channel = 1; channel <= ccTalkChannelsMax; channel += 1) {
      const reply = await this.device.ask(ccTalkHeaders.requestCoinId, [channel], parseCoinId);
      if (!reply.ok) continue;
      const denomination = denominationForCcTalkId(reply.value);
      // A coin of another currency, or one we do not know, stays inhibited: it maps to nothing.
      if (denomination && denomination.currency === this.options.currency && denomination.kind === 'coin') {
        this.channels.set(channel, denomination);
      }
    }
  }

  private async applyInhibits(): Promise<boolean> {
    const mask = this.enabledMask;
    const master = mask === 0 ? 0 : 1;
    // Closing: master inhibit first, it takes effect at once. Opening: channels first, then the master.
    const steps: Array<[number, number[]]> =
      master === 0
        ? [
            [ccTalkHeaders.modifyMasterInhibit, [0]],
            [ccTalkHeaders.modifyInhibitStatus, [mask & 0xff, mask >> 8]],
          ]
        : [
            [ccTalkHeaders.modifyInhibitStatus, [mask & 0xff, mask >> 8]],
            [ccTalkHeaders.modifyMasterInhibit, [1]],
          ];
    let ok = true;
    for (const [header, data] of steps) {
      const reply = await this.device.ask(header, data, parseEmpty);
      if (!reply.ok) ok = false;
    }
    // An acceptor that did not take its inhibits may accept what the deposit cannot: that is a fault.
    if (!ok) this.faults.raise('protocolError', 'inhibit not acknowledged');
    return ok;
  }

  private async readEvents(): Promise<
    { ok: true; counter: number; pairs: readonly BufferedEventPair[] } | { ok: false; what: string }
  > {
    const reply = await this.device.ask(ccTalkHeaders.readBufferedCredit, [], (d) =>
      parseBufferedEvents(d, this.options.limits.ccTalkEventBufferSize),
    );
    if (!reply.ok) return { ok: false, what: describeReplyError(reply.error) };
    return { ok: true, counter: reply.value.counter, pairs: reply.value.pairs };
  }

  private async poll(): Promise<void> {
    const reply = await this.readEvents();
    if (!reply.ok) {
      // Still the same money: a missed poll is retried next time, events are deduplicated by counter.
      if (!this.silent) this.faults.raise('protocolError', reply.what);
      this.silent = true;
      return;
    }
    if (this.silent) {
      this.silent = false;
      this.faults.clear('protocolError');
    }
    const step = counterStep(this.lastCounter, reply.counter, this.options.limits.ccTalkEventBufferSize);
    if (step.kind === 'reset') {
      this.lastCounter = 0;
      this.emit({ device: this.name, type: 'reset' });
      await this.applyInhibits();
    } else if (step.kind === 'events') {
      this.lastCounter = reply.counter;
      if (step.lost > 0) this.emit({ device: this.name, type: 'lostEvents', count: step.lost });
      for (let i = step.fresh - 1; i >= 0; i -= 1) {
        const pair = reply.pairs[i];
        if (pair) this.handlePair(pair);
      }
    }
    await this.recheckFaults();
  }

  private handlePair(pair: BufferedEventPair): void {
    if (pair.a !== 0) {
      const denomination = this.channels.get(pair.a);
      if (!denomination) {
        this.emit({ device: this.name, type: 'reject', reason: 'unknownDenomination', count: 1 });
        return;
      }
      this.emit({
        device: this.name,
        type: 'credit',
        kind: 'coin',
        ccTalkId: denomination.ccTalkId,
        currency: denomination.currency,
        valueMinor: denomination.valueMinor,
        count: 1,
      });
      return;
    }
    const error = classifyCoinError(pair.b);
    switch (error.kind) {
      case 'none':
        return;
      case 'rejected':
        this.emit({ device: this.name, type: 'reject', reason: 'rejected', count: 1 });
        return;
      case 'inhibited': {
        const denomination = error.channel === undefined ? undefined : this.channels.get(error.channel);
        this.emit({
          device: this.name,
          type: 'reject',
          reason: 'inhibited',
          count: 1,
          ...(denomination ? { valueMinor: denomination.valueMinor, ccTalkId: denomination.ccTalkId } : {}),
        });
        return;
      }
      case 'fraud':
        // An alarm, not a state: the device has no "fraud over" event, so it is reported once per attempt.
        this.emit({
          device: this.name,
          type: 'fault',
          fault: 'fraudAttempt',
          detail: `error code ${pair.b}`,
        });
        return;
      case 'jam':
        this.faults.raise('jam', `error code ${pair.b}`);
        return;
      case 'flightDeckOpen':
        this.faults.raise('flightDeckOpen');
        return;
      case 'hardware':
        this.faults.raise('selfCheckFailed', `error code ${pair.b}`);
        return;
    }
  }

  /** While a jam-like fault is active, a self-check every few polls tells us when it was cleared. */
  private async recheckFaults(): Promise<void> {
    if (!selfCheckClearable.some((fault) => this.faults.has(fault))) return;
    this.pollsSinceRecheck += 1;
    if (this.pollsSinceRecheck < this.options.limits.ccTalkFaultRecheckPolls) return;
    this.pollsSinceRecheck = 0;
    const check = await this.device.ask(ccTalkHeaders.performSelfCheck, [], parseSelfCheck);
    if (check.ok && check.value.faultCode === 0) {
      for (const fault of selfCheckClearable) this.faults.clear(fault);
    }
  }
}
