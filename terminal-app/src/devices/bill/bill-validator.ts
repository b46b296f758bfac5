import type { Duplex } from 'node:stream';
import type {
  Clock,
  CurrencyCode,
  Denomination,
  DeviceDiagnostics,
  DeviceEvent,
  DeviceStatus,
  SystemLimits,
} from '@cashin/shared';
import { denominationForCcTalkId } from '@cashin/shared';
import { classifyBillStatus } from '../cctalk/bill-status.js';
import type { CcTalkIdentity } from '../cctalk/cctalk-device.js';
import { CcTalkDevice, describeReplyError } from '../cctalk/cctalk-device.js';
import type { ChecksumMode } from '../cctalk/checksum.js';
import { counterStep } from '../cctalk/event-counter.js';
import { billRoute, ccTalkAddresses, ccTalkChannelsMax, ccTalkHeaders } from '../cctalk/headers.js';
import type { BufferedEventPair, Parsed } from '../cctalk/parsers.js';
import { parseBillId, parseBufferedEvents, parseEmpty, parseSelfCheck } from '../cctalk/parsers.js';
import type { DeviceDriver } from '../common/driver.js';
import { DeviceStartError } from '../common/driver.js';
import { DeviceEventHub } from '../common/event-hub.js';
import { FaultSet } from '../common/fault-set.js';
import { PollLoop } from '../common/poll-loop.js';

/** Asked for every bill held in escrow: true stacks it (the money is taken), false gives it back. */
export type EscrowDecision = (bill: Denomination) => boolean | Promise<boolean>;

export interface BillValidatorOptions {
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly stream: Duplex;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  readonly address?: number;
  readonly checksum?: ChecksumMode;
  /**
   * Whether to stack an escrowed bill. Without one, a bill is stacked when it fits the accept limit last
   * set; the deposit engine normally passes its own check (the limit may have moved since).
   */
  readonly decideEscrow?: EscrowDecision;
}

/** Bill operating mode (153): bit 0 use the stacker, bit 1 use escrow. */
const operatingModeStackerAndEscrow = 0b11;
/** Route bill (154) replies with one data byte when it could not route. */
function parseRouteReply(data: Uint8Array): Parsed<number | null> {
  if (data.length === 0) return { ok: true, value: null };
  if (data.length === 1) return { ok: true, value: data[0] ?? 0 };
  return { ok: false, error: { code: 'badLength', what: `route bill: ${data.length} bytes` } };
}

const selfCheckClearable = ['jam'] as const;

/**
 * A ccTalk bill validator (address 40, CRC-16 by default) with escrow.
 *
 * A bill that validates is held in escrow and reported as an `escrow` event; the driver then asks the
 * escrow decision and routes it (154): stacked only when the deposit can take it, otherwise returned.
 * A stacked bill becomes a `credit`; a returned one a `reject` with reason `returnedFromEscrow`.
 * Stacker full, removed, faulty and jams are faults; stacker inserted / OK clear them.
 */
export class BillValidator implements DeviceDriver {
  readonly kind = 'billValidator' as const;
  readonly name: string;
  private readonly device: CcTalkDevice;
  private readonly hub: DeviceEventHub;
  private readonly faults: FaultSet;
  private readonly loop: PollLoop;
  private readonly channels = new Map<number, Denomination>();
  private identity: CcTalkIdentity = {};
  private lastCounter: number | undefined;
  private enabledMask = 0;
  private acceptLimitMinor = 0;
  private started = false;
  private closed = false;
  private silent = false;
  private pollsSinceRecheck = 0;
  /** The bill we last saw in escrow, so a "returned from escrow" can say what was returned. */
  private escrowed: Denomination | undefined;
  /** A route decision in progress; polling goes on meanwhile, so a slow decision never stalls events. */
  private routing: Promise<void> = Promise.resolve();
  /** Resolves when close() begins: a decision still pending then is taken as "return the bill". */
  private signalClosing: () => void = () => undefined;
  private readonly closing = new Promise<void>((resolve) => (this.signalClosing = resolve));

  constructor(private readonly options: BillValidatorOptions) {
    this.name = options.name;
    this.device = new CcTalkDevice({
      stream: options.stream,
      clock: options.clock,
      limits: options.limits,
      address: options.address ?? ccTalkAddresses.billValidator,
      mode: options.checksum ?? 'crc16',
    });
    this.hub = new DeviceEventHub(options.name, options.limits.deviceEventQueueMax);
    this.faults = new FaultSet(options.name, (event) => this.hub.emit(event));
    this.loop = new PollLoop(
      options.clock,
      options.limits.ccTalkPollIntervalMs,
      () => this.poll(),
      (error) =>
        queueMicrotask(() => {
          throw error;
        }),
    );
  }

  get billTable(): ReadonlyMap<number, Denomination> {
    return this.channels;
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
    this.channels.clear();
    for (let channel = 1; channel <= ccTalkChannelsMax; channel += 1) {
      const reply = await this.device.ask(ccTalkHeaders.requestBillId, [channel], parseBillId);
      if (!reply.ok) continue;
      const bill = denominationForCcTalkId(reply.value);
      if (bill && bill.currency === this.options.currency && bill.kind === 'bill')
        this.channels.set(channel, bill);
    }
    await this.device.ask(ccTalkHeaders.modifyBillOperatingMode, [operatingModeStackerAndEscrow], parseEmpty);
    const baseline = await this.readEvents();
    if (!baseline.ok) throw new DeviceStartError(this.name, baseline.what);
    this.lastCounter = baseline.counter;
    await this.applyInhibits();
    this.started = true;
    this.hub.emit({ device: this.name, type: 'connected' });
    this.loop.start();
  }

  /** Enables exactly the bills worth at most `remainingMinor`; 0 refuses every bill. */
  async setAcceptLimit(remainingMinor: number): Promise<boolean> {
    this.acceptLimitMinor = remainingMinor;
    let mask = 0;
    for (const [channel, bill] of this.channels)
      if (bill.valueMinor <= remainingMinor) mask |= 1 << (channel - 1);
    this.enabledMask = mask;
    return this.applyInhibits();
  }

  inhibitAll(): Promise<boolean> {
    return this.setAcceptLimit(0);
  }

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
    const echo = this.device.echoDetected;
    return {
      device: this.name,
      kind: this.kind,
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.signalClosing();
    await this.loop.stop();
    await this.routing;
    if (this.started) await this.inhibitAll();
    this.closed = true;
    this.device.close();
    this.hub.close();
  }

  private async applyInhibits(): Promise<boolean> {
    const mask = this.enabledMask;
    const a = await this.device.ask(ccTalkHeaders.modifyInhibitStatus, [mask & 0xff, mask >> 8], parseEmpty);
    const b = await this.device.ask(ccTalkHeaders.modifyMasterInhibit, [mask === 0 ? 0 : 1], parseEmpty);
    // A validator that did not take its inhibits may accept what the deposit cannot: that is a fault.
    if (!a.ok || !b.ok) this.faults.raise('protocolError', 'inhibit not acknowledged');
    return a.ok && b.ok;
  }

  private async readEvents(): Promise<
    { ok: true; counter: number; pairs: readonly BufferedEventPair[] } | { ok: false; what: string }
  > {
    const reply = await this.device.ask(ccTalkHeaders.readBufferedBillEvents, [], (d) =>
      parseBufferedEvents(d, this.options.limits.ccTalkEventBufferSize),
    );
    if (!reply.ok) return { ok: false, what: describeReplyError(reply.error) };
    return { ok: true, counter: reply.value.counter, pairs: reply.value.pairs };
  }

  private async poll(): Promise<void> {
    const reply = await this.readEvents();
    if (!reply.ok) {
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
      this.escrowed = undefined;
      this.hub.emit({ device: this.name, type: 'reset' });
      await this.device.ask(
        ccTalkHeaders.modifyBillOperatingMode,
        [operatingModeStackerAndEscrow],
        parseEmpty,
      );
      await this.applyInhibits();
    } else if (step.kind === 'events') {
      this.lastCounter = reply.counter;
      if (step.lost > 0) this.hub.emit({ device: this.name, type: 'lostEvents', count: step.lost });
      for (let i = step.fresh - 1; i >= 0; i -= 1) {
        const pair = reply.pairs[i];
        if (pair) this.handlePair(pair, i === 0);
      }
    }
    await this.recheckFaults();
  }

  private handlePair(pair: BufferedEventPair, newest: boolean): void {
    if (pair.a !== 0) {
      const bill = this.channels.get(pair.a);
      if (!bill) {
        this.hub.emit({ device: this.name, type: 'reject', reason: 'unknownDenomination', count: 1 });
        return;
      }
      if (pair.b === 1) {
        this.escrowed = bill;
        this.hub.emit({
          device: this.name,
          type: 'escrow',
          ccTalkId: bill.ccTalkId,
          currency: bill.currency,
          valueMinor: bill.valueMinor,
        });
        // Only the newest event can still be in escrow; an older escrow was already routed or returned.
        if (newest) {
          // Asked at once, so whoever decides has the question by the time it has seen the event.
          const decision = this.decide(bill);
          this.routing = this.routing.then(() => this.route(decision));
        }
        return;
      }
      this.escrowed = undefined;
      this.hub.emit({
        device: this.name,
        type: 'credit',
        kind: 'bill',
        ccTalkId: bill.ccTalkId,
        currency: bill.currency,
        valueMinor: bill.valueMinor,
        count: 1,
      });
      return;
    }
    const status = classifyBillStatus(pair.b);
    switch (status.kind) {
      case 'none':
        return;
      case 'returnedFromEscrow': {
        const bill = this.escrowed;
        this.escrowed = undefined;
        this.hub.emit({
          device: this.name,
          type: 'reject',
          reason: 'returnedFromEscrow',
          count: 1,
          ...(bill ? { valueMinor: bill.valueMinor, ccTalkId: bill.ccTalkId } : {}),
        });
        return;
      }
      case 'rejected':
        this.hub.emit({ device: this.name, type: 'reject', reason: 'rejected', count: 1 });
        return;
      case 'inhibited':
        this.hub.emit({ device: this.name, type: 'reject', reason: 'inhibited', count: 1 });
        return;
      case 'fault':
        if (status.fault === 'fraudAttempt') {
          this.hub.emit({
            device: this.name,
            type: 'fault',
            fault: 'fraudAttempt',
            detail: `status ${pair.b}`,
          });
        } else {
          this.faults.raise(status.fault, `status ${pair.b}`);
        }
        return;
      case 'stackerOk':
        this.faults.clear('stackerFull');
        this.faults.clear('stackerFaulty');
        return;
      case 'stackerInserted':
        this.faults.clear('stackerRemoved');
        return;
    }
  }

  /** A decision that fails gives the bill back: returning money is always safe, stacking it is not. */
  private decide(bill: Denomination): Promise<boolean> {
    const decide = this.options.decideEscrow ?? ((b: Denomination) => b.valueMinor <= this.acceptLimitMinor);
    try {
      return Promise.resolve(decide(bill)).catch(() => false);
    } catch {
      return Promise.resolve(false);
    }
  }

  private async route(decision: Promise<boolean>): Promise<void> {
    const stack = await Promise.race([decision, this.closing.then(() => false)]);
    // Not retried: if the reply was lost the bill may already be stacked; the next 159 says what happened.
    const reply = await this.device.ask(
      ccTalkHeaders.routeBill,
      [stack ? billRoute.stack : billRoute.returnBill],
      parseRouteReply,
      { retry: false },
    );
    if (reply.ok && reply.value !== null) {
      this.hub.emit({
        device: this.name,
        type: 'fault',
        fault: 'protocolError',
        detail: `route refused (${reply.value})`,
      });
    }
  }

  private async recheckFaults(): Promise<void> {
    if (!selfCheckClearable.some((fault) => this.faults.has(fault))) return;
    this.pollsSinceRecheck += 1;
    if (this.pollsSinceRecheck < this.options.limits.ccTalkFaultRecheckPolls) return;
    this.pollsSinceRecheck = 0;
    const check = await this.device.ask(ccTalkHeaders.performSelfCheck, [], parseSelfCheck);
    if (check.ok && check.value.faultCode === 0)
      for (const fault of selfCheckClearable) this.faults.clear(fault);
  }
}
