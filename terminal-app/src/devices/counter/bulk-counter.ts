import type { Duplex } from 'node:stream';
import type {
  Clock,
  CurrencyCode,
  Denomination,
  DeviceDiagnostics,
  DeviceEvent,
  DeviceFault,
  DeviceStatus,
  SystemLimits,
} from '@cashin/shared';
import { denominationForCcTalkId } from '@cashin/shared';
import type { AlarmSink } from '../common/driver.js';
import { DeviceStartError } from '../common/driver.js';
import { DriverScaffold } from '../common/driver-scaffold.js';
import type { PollLoop } from '../common/poll-loop.js';
import { crashingPollLoop } from '../common/poll-loop.js';
import type { CounterResult } from './counter-link.js';
import { CounterLink } from './counter-link.js';
import type { CounterRegisters } from './counter-registers.js';
import { withCounterRegisters } from './counter-registers.js';
import { counterCommands, counterStatusBits, registerValue, registersMax } from './scan-coin-protocol.js';

/**
 * A status reply in the fault words the screens translate. A refused or garbled reply did answer: that is a
 * communication fault; only silence is not answering.
 */
function statusFindings(status: CounterResult): { answered: boolean; faults: DeviceFault[] } {
  if (!status.ok) {
    return status.why === 'timeout'
      ? { answered: false, faults: [] }
      : { answered: true, faults: ['protocolError'] };
  }
  const doorOpen = ((status.data[0] ?? 0) & counterStatusBits.doorOpen) !== 0;
  return { answered: true, faults: doorOpen ? ['doorOpen'] : [] };
}

export interface BulkCounterOptions {
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly stream: Duplex;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  /**
   * The registers the journal last wrote for this counter (stamped on its events, see `CounterRegisters`).
   * When given, and they describe this counter's registers, what the registers grew by since (the coins
   * poured while the agent was down: the counter cannot be inhibited) is reported at start; otherwise the
   * counter's current registers are the baseline.
   */
  readonly registersBaseline?: CounterRegisters | undefined;
  /** Where one-off alarms (an implausible count, registers that are not the journal's) are logged. */
  readonly onAlarm?: AlarmSink | undefined;
}

/** The largest plausible change of one register between two reads (6,000 coins/min for a minute). */
const registerDeltaMax = 6_000;
const minuteMs = 60_000;
/** The most coins one event may carry (the device event schema's `count` maximum); more are split. */
const eventCountMax = 100_000;

/** The causes of the counter's `protocolError`: it stands while either does. */
const protocolErrorCause = { link: 'link', registers: 'registers' } as const;

/**
 * A Scan Coin SC-350/360 style batch counter (the pour-in kiosk). It logs on, learns which denomination
 * each count register holds, then reads the registers and the status every `bulkCounterPollIntervalMs`.
 * The registers only grow, so the driver reports what grew since its last read: a `credit` per
 * denomination with `count` coins, a `reject` with the reject count. Nothing counts twice, because the
 * baseline moves only once a delta has been reported. A register that went down means the counter was
 * reset: that is a `reset` event and the new values count from zero.
 *
 * Every credit, reject and reset carries the registers right after it (`counterRegisters`): the journal
 * keeps them with the event, and hands them back as `registersBaseline` at the next start, so coins
 * counted while the agent was down are reported rather than taken as the starting point.
 */
export class BulkCounter extends DriverScaffold {
  readonly kind = 'bulkCounter' as const;
  private readonly link: CounterLink;
  private readonly loop: PollLoop;
  private readonly registers = new Map<number, Denomination>();
  private readonly last = new Map<number, number>();
  private lastRejects = 0;
  private statusByte = 0;
  private startedFrom: CounterRegisters | undefined;
  private resumed = false;

  constructor(private readonly options: BulkCounterOptions) {
    super(options.name, options.limits, options.onAlarm);
    this.link = new CounterLink(options.stream, options.clock, options.limits.bulkCounterReplyTimeoutMs);
    this.loop = crashingPollLoop(options.clock, options.limits.bulkCounterPollIntervalMs, () => this.poll());
  }

  get registerTable(): ReadonlyMap<number, Denomination> {
    return this.registers;
  }

  async start(): Promise<void> {
    const logOn = await this.link.request(counterCommands.logOn);
    if (!logOn.ok) throw new DeviceStartError(this.name, `log on failed (${logOn.why})`);
    for (let register = 0; register < registersMax; register += 1) {
      const id = await this.link.request(counterCommands.readRegisterId, register);
      if (!id.ok) break;
      const denomination = denominationForCcTalkId(Buffer.from(id.data).toString('latin1'));
      if (denomination && denomination.currency === this.options.currency && denomination.kind === 'coin') {
        this.registers.set(register, denomination);
      }
    }
    if (this.registers.size === 0) throw new DeviceStartError(this.name, 'no denomination registers');
    const read = await this.readAll();
    if (!read) throw new DeviceStartError(this.name, 'registers unreadable');
    const known = this.options.registersBaseline;
    const usable = known !== undefined && this.describesThisCounter(known);
    if (usable) {
      for (const { register, count } of known.counts) this.last.set(register, count);
      this.lastRejects = known.rejects;
    } else {
      for (const [register, value] of read.values) this.last.set(register, value);
      this.lastRejects = read.rejects;
    }
    this.resumed = usable;
    this.startedFrom = this.registersNow();
    this.emit({ device: this.name, type: 'connected' });
    if (usable) {
      // It counted on while the agent was down, at most as fast as the fastest counter for that long.
      const downMs = Math.max(0, this.options.clock.nowMs() - known.atMs);
      this.take(read, Math.max(registerDeltaMax, Math.ceil((registerDeltaMax * downMs) / minuteMs)));
    } else if (known !== undefined) {
      // The journal's registers are not this counter's (another register table): what it counted while
      // the agent was down cannot be told, so whatever deposit that lands in is held for review.
      this.alarm('unknownMoney', 'journaled registers do not match the counter; counting from its own');
      this.emit(withCounterRegisters({ device: this.name, type: 'lostEvents', count: 1 }, this.startedFrom));
    }
    this.loop.start();
  }

  /** The registers the driver started from (the journal's, or the counter's own when it had none). */
  get startRegisters(): CounterRegisters | undefined {
    return this.startedFrom;
  }

  /**
   * True when the driver started from the journal's registers; false when from the counter's own. The
   * agent journals `startRegisters` afresh only when this is false.
   */
  get resumedFromJournal(): boolean {
    return this.resumed;
  }

  replaceStream(stream: Duplex): void {
    this.link.replaceStream(stream);
  }

  override status(): DeviceStatus {
    const s = this.statusByte;
    const detail = [
      s & counterStatusBits.counting ? 'counting' : 'idle',
      s & counterStatusBits.batchDone ? 'batch done' : '',
      s & counterStatusBits.cleanMe ? 'needs cleaning' : '',
    ]
      .filter(Boolean)
      .join(', ');
    return this.statusNow(false, detail);
  }

  async selfTest(): Promise<DeviceDiagnostics> {
    const status = await this.link.request(counterCommands.readStatus);
    return {
      device: this.name,
      kind: this.kind,
      channels: [...this.registers].map(([channel, d]) => ({
        channel,
        ccTalkId: d.ccTalkId,
        valueMinor: d.valueMinor,
      })),
      ok: status.ok && ((status.data[0] ?? 0) & counterStatusBits.doorOpen) === 0,
      ...statusFindings(status),
      detail: status.ok ? `status 0x${(status.data[0] ?? 0).toString(16)}` : `no status (${status.why})`,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.loop.stop();
    this.link.close();
    this.finishClose();
  }

  private async readAll(): Promise<{ values: Map<number, number>; rejects: number } | undefined> {
    const values = new Map<number, number>();
    for (const register of this.registers.keys()) {
      const reply = await this.link.request(counterCommands.readRegister, register);
      if (!reply.ok) return undefined;
      values.set(register, registerValue(reply.data));
    }
    const rejects = await this.link.request(counterCommands.readRejects);
    if (!rejects.ok) return undefined;
    return { values, rejects: registerValue(rejects.data) };
  }

  private async poll(): Promise<void> {
    let status = await this.link.request(counterCommands.readStatus);
    if (!status.ok && status.why === 'nak') {
      // A counter that lost power forgets the log-on and refuses everything until it is repeated.
      const logOn = await this.link.request(counterCommands.logOn);
      if (logOn.ok) status = await this.link.request(counterCommands.readStatus);
    }
    const read = status.ok ? await this.readAll() : undefined;
    if (!status.ok || !read) {
      const why = status.ok ? 'registers unreadable' : `no status (${status.why})`;
      this.faults.raise('protocolError', why, protocolErrorCause.link);
      return;
    }
    this.faults.clear('protocolError', protocolErrorCause.link);
    this.statusByte = status.data[0] ?? 0;
    if (this.statusByte & counterStatusBits.doorOpen) this.faults.raise('doorOpen');
    else this.faults.clear('doorOpen');
    this.take(read, registerDeltaMax);
  }

  /** The registers as reported so far, to stamp on an event: the journal's baseline once it is written. */
  private registersNow(): CounterRegisters {
    return {
      counts: [...this.registers].map(([register, d]) => ({
        register,
        ccTalkId: d.ccTalkId,
        count: this.last.get(register) ?? 0,
      })),
      rejects: this.lastRejects,
      atMs: this.options.clock.nowMs(),
    };
  }

  /** Whether journaled registers are this counter's: the same registers holding the same coins. */
  private describesThisCounter(known: CounterRegisters): boolean {
    if (known.counts.length !== this.registers.size) return false;
    if (!Number.isSafeInteger(known.rejects) || known.rejects < 0) return false;
    return known.counts.every(
      ({ register, ccTalkId, count }) =>
        this.registers.get(register)?.ccTalkId === ccTalkId && Number.isSafeInteger(count) && count >= 0,
    );
  }

  private emitCounted(event: DeviceEvent): void {
    this.emit(withCounterRegisters(event, this.registersNow()));
  }

  /**
   * Reports what grew since the baseline: a credit per register, then the rejects, each stamped with the
   * registers right after it. A register that grew by more than `deltaMax` is a count the machine cannot
   * have made: its baseline is kept (nothing is credited) and `protocolError` stands until a read makes
   * sense again, a misread passing or the counter reset by a technician; then the fault is cleared.
   */
  private take(read: { values: Map<number, number>; rejects: number }, deltaMax: number): void {
    const wentDown =
      [...read.values].some(([register, value]) => value < (this.last.get(register) ?? 0)) ||
      read.rejects < this.lastRejects;
    if (wentDown) {
      for (const register of this.last.keys()) this.last.set(register, 0);
      this.lastRejects = 0;
      this.emitCounted({ device: this.name, type: 'reset' });
    }
    const implausible: string[] = [];
    for (const [register, value] of read.values) {
      const denomination = this.registers.get(register);
      const delta = value - (this.last.get(register) ?? 0);
      if (!denomination || delta <= 0) continue;
      if (delta > deltaMax) {
        // Not a count a machine can make in the time: a corrupted register. Keep the baseline rather
        // than credit a fortune.
        implausible.push(`register ${register} +${delta}`);
        continue;
      }
      for (let left = delta; left > 0;) {
        const count = Math.min(left, eventCountMax);
        left -= count;
        this.last.set(register, value - left);
        this.emitCounted({
          device: this.name,
          type: 'credit',
          kind: 'coin',
          ccTalkId: denomination.ccTalkId,
          currency: denomination.currency,
          valueMinor: denomination.valueMinor,
          count,
        });
      }
    }
    for (let left = read.rejects - this.lastRejects; left > 0;) {
      const count = Math.min(left, eventCountMax);
      left -= count;
      this.lastRejects = read.rejects - left;
      this.emitCounted({ device: this.name, type: 'reject', reason: 'rejected', count });
    }
    if (implausible.length === 0) {
      this.faults.clear('protocolError', protocolErrorCause.registers);
      return;
    }
    const detail = implausible.join(', ').slice(0, 200);
    if (!this.faults.has('protocolError', protocolErrorCause.registers))
      this.alarm('implausibleCount', detail);
    this.faults.raise('protocolError', detail, protocolErrorCause.registers);
  }
}
