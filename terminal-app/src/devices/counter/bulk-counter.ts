import type { Duplex } from 'node:stream';
import type {
  Clock,
  CounterState,
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

const minuteMs = 60_000;
/** The most coins one event may carry (the device event schema's `count` maximum); more are split. */
const eventCountMax = 100_000;
/**
 * The shortest time a plausible growth is allowed for, however soon the register is read again: polls and
 * replies are not instantaneous, and a few coins too many must not look like a garbled read.
 */
const plausibleSpanMsMin = 1_000;
/** The rejects register's key among the registers the driver tracks (denomination registers are 0-15). */
const rejectsKey = -1;

/** The causes of the counter's `protocolError`: it stands while either does. */
const protocolErrorCause = { link: 'link', registers: 'registers' } as const;

/** One read of every register: counts by denomination register, and the rejects. */
interface RegistersRead {
  values: Map<number, number>;
  rejects: number;
}

/** A register read that the driver does not believe yet (lower than its baseline, or implausibly high). */
interface SuspectRegister {
  value: number;
  atMs: number;
  /** Consecutive reads that agreed with each other (see `bulkCounterSuspectReadsMax`). */
  reads: number;
}

/** The counter's state as its status byte says: counting a pour, done with a batch, or idle. */
export function counterStateOf(statusByte: number): CounterState {
  if (statusByte & counterStatusBits.counting) return 'counting';
  return statusByte & counterStatusBits.batchDone ? 'batchDone' : 'idle';
}

/**
 * A Scan Coin SC-350/360 style batch counter (the pour-in kiosk). It logs on, learns which denomination
 * each count register holds, then reads the registers and the status every `bulkCounterPollIntervalMs`.
 * The registers only grow, so the driver reports what grew since its last read: a `credit` per
 * denomination with `count` coins, a `reject` with the reject count. Nothing counts twice, because the
 * baseline moves only once a delta has been reported.
 *
 * A register that reads lower is taken for a reset only on evidence: the counter refused us (NAK) until we
 * logged on again, as one that lost power does, or every register that had counted and the rejects read
 * lower together, twice running. Then it is a `reset` event and the new values count from zero. Any other
 * lower read, like a growth faster than the counter can count in the time since the register was last
 * read, is a garbled read: the baseline is kept and `protocolError` stands until the register reads sense
 * again. A suspect value read `bulkCounterSuspectReadsMax` times in a row, each read agreeing with the one
 * before, is believed: it becomes the baseline with nothing credited, and `lostEvents` holds the deposit
 * for review, so a counter whose register really moved does not keep the kiosk out of service.
 *
 * It also reports what its status says it is doing (`counterState`: counting, batch done, idle) when that
 * changes and once at start, after the credits of the same read: a deposit drains until it stops counting.
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
  /** When each register (and `rejectsKey`) last read a value the driver believed. */
  private readonly lastSeenAtMs = new Map<number, number>();
  private readonly suspects = new Map<number, SuspectRegister>();
  /** The last read had every counted register lower: a second such read confirms a reset. */
  private resetSuspected = false;
  /** The counter refused us until we logged on again since the last read: it may have lost power. */
  private loggedOnAgain = false;
  private statusByte = 0;
  private reportedState: CounterState | undefined;
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
    // It counted on while the agent was down, at most as fast as the fastest counter for that long.
    const seenAtMs = usable ? known.atMs : this.options.clock.nowMs();
    for (const key of [...this.registers.keys(), rejectsKey]) this.lastSeenAtMs.set(key, seenAtMs);
    this.resumed = usable;
    this.startedFrom = this.registersNow();
    this.emit({ device: this.name, type: 'connected' });
    if (usable) {
      this.take(read);
      // Registers all lower than the journal's: reset while the agent was down, or one garbled read. A
      // second read tells which now, so what it counted since is reported before any deposit can open.
      if (this.resetSuspected) {
        const again = await this.readAll();
        if (again) this.take(again);
      }
    } else if (known !== undefined) {
      // The journal's registers are not this counter's (another register table): what it counted while
      // the agent was down cannot be told, so whatever deposit that lands in is held for review.
      this.alarm('unknownMoney', 'journaled registers do not match the counter; counting from its own');
      this.emit(withCounterRegisters({ device: this.name, type: 'lostEvents', count: 1 }, this.startedFrom));
    }
    const status = await this.link.request(counterCommands.readStatus);
    if (status.ok) this.noteStatus(status.data[0] ?? 0);
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

  private async readAll(): Promise<RegistersRead | undefined> {
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
      if (logOn.ok) {
        this.loggedOnAgain = true;
        status = await this.link.request(counterCommands.readStatus);
      }
    }
    const read = status.ok ? await this.readAll() : undefined;
    if (!status.ok || !read) {
      const why = status.ok ? 'registers unreadable' : `no status (${status.why})`;
      this.faults.raise('protocolError', why, protocolErrorCause.link);
      return;
    }
    this.faults.clear('protocolError', protocolErrorCause.link);
    const statusByte = status.data[0] ?? 0;
    if (statusByte & counterStatusBits.doorOpen) this.faults.raise('doorOpen');
    else this.faults.clear('doorOpen');
    // The status was read before the registers: when it says the counter stopped, this read holds every
    // coin of the pour, and its credits go out before the state does.
    this.take(read);
    this.noteStatus(statusByte);
  }

  /** Keeps the status byte and reports the counter's state when it changed (or was never reported). */
  private noteStatus(statusByte: number): void {
    this.statusByte = statusByte;
    const state = counterStateOf(statusByte);
    if (state === this.reportedState) return;
    this.reportedState = state;
    this.emit({ device: this.name, type: 'counterState', state });
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

  /** The largest growth of a register believable after `elapsedMs` without a read of it. */
  private plausibleDeltaMax(elapsedMs: number): number {
    const spanMs = Math.max(plausibleSpanMsMin, elapsedMs);
    return Math.ceil((this.options.limits.bulkCounterCoinsPerMinuteMax * spanMs) / minuteMs);
  }

  private baselineOf(key: number): number {
    return key === rejectsKey ? this.lastRejects : (this.last.get(key) ?? 0);
  }

  private setBaseline(key: number, value: number, atMs: number): void {
    if (key === rejectsKey) this.lastRejects = value;
    else this.last.set(key, value);
    this.lastSeenAtMs.set(key, atMs);
  }

  /** Every register of a read, the rejects last (as `rejectsKey`), in the order they are reported. */
  private static entriesOf(read: RegistersRead): Array<[number, number]> {
    return [...read.values, [rejectsKey, read.rejects]];
  }

  /**
   * Whether a lower read is a reset: on a forced new log-on, any register lower; otherwise every register
   * that had counted (and the rejects, if any) lower, on this read and the one before.
   */
  private isReset(read: RegistersRead): 'reset' | 'suspected' | 'no' {
    const entries = BulkCounter.entriesOf(read);
    const lower = entries.filter(([key, value]) => value < this.baselineOf(key));
    if (lower.length === 0) return 'no';
    if (this.loggedOnAgain) return 'reset';
    const counted = entries.filter(([key]) => this.baselineOf(key) > 0);
    if (lower.length !== counted.length) return 'no';
    return this.resetSuspected ? 'reset' : 'suspected';
  }

  /**
   * Counts from zero. When each register was last believed stays as it was: since the reset the counter
   * may have counted for as long as it went unread, at most.
   */
  private resetBaselines(): void {
    for (const register of this.last.keys()) this.last.set(register, 0);
    this.lastRejects = 0;
    this.suspects.clear();
    this.emitCounted({ device: this.name, type: 'reset' });
  }

  /**
   * Reports what grew since the baseline: a credit per register, then the rejects, each stamped with the
   * registers right after it. A register that reads lower (without a reset, see `isReset`) or grew faster
   * than the counter can count is suspect: its baseline is kept (nothing is credited) and `protocolError`
   * stands until it reads sense again, or until it has read the same story long enough to be believed.
   */
  private take(read: RegistersRead): void {
    const nowMs = this.options.clock.nowMs();
    const reset = this.isReset(read);
    this.loggedOnAgain = false;
    this.resetSuspected = reset === 'suspected';
    // One read that has every register lower: nothing is taken from it until the next read says whether
    // the counter was reset (count from zero) or the read was garbled (the baselines stand).
    if (reset === 'suspected') return;
    if (reset === 'reset') this.resetBaselines();
    for (const [key, value] of BulkCounter.entriesOf(read)) {
      const delta = value - this.baselineOf(key);
      const elapsedMs = nowMs - (this.lastSeenAtMs.get(key) ?? nowMs);
      if (delta >= 0 && delta <= this.plausibleDeltaMax(elapsedMs)) {
        this.suspects.delete(key);
        this.report(key, value);
        this.lastSeenAtMs.set(key, nowMs);
      } else {
        this.suspect(key, value, nowMs);
      }
    }
    this.reviewSuspects();
  }

  /** Credits (or, for the rejects, reports) what a register grew by, in events of at most eventCountMax. */
  private report(key: number, value: number): void {
    const denomination = this.registers.get(key);
    for (let left = value - this.baselineOf(key); left > 0;) {
      const count = Math.min(left, eventCountMax);
      left -= count;
      if (key === rejectsKey) {
        this.lastRejects = value - left;
        this.emitCounted({ device: this.name, type: 'reject', reason: 'rejected', count });
        continue;
      }
      if (!denomination) return;
      this.last.set(key, value - left);
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

  /** Counts one more read of a suspect register: consecutive when it agrees with the read before. */
  private suspect(key: number, value: number, nowMs: number): void {
    const before = this.suspects.get(key);
    const agrees =
      before !== undefined &&
      value >= before.value &&
      value - before.value <= this.plausibleDeltaMax(nowMs - before.atMs);
    this.suspects.set(key, { value, atMs: nowMs, reads: agrees ? before.reads + 1 : 1 });
  }

  /**
   * Believes a suspect register that read the same story `bulkCounterSuspectReadsMax` times running: its
   * value becomes the baseline with nothing credited (whether coins went in unseen, or were credited
   * that were not, cannot be told) and `lostEvents` holds the deposit for review. Then raises or clears
   * `protocolError` for the suspects that remain.
   */
  private reviewSuspects(): void {
    const nowMs = this.options.clock.nowMs();
    for (const [key, suspect] of [...this.suspects]) {
      if (suspect.reads < this.options.limits.bulkCounterSuspectReadsMax) continue;
      this.suspects.delete(key);
      this.alarm('unknownMoney', `register ${key} read ${suspect.value} ${suspect.reads} times: believed`);
      this.setBaseline(key, suspect.value, nowMs);
      this.emitCounted({ device: this.name, type: 'lostEvents', count: 1 });
    }
    if (this.suspects.size === 0) {
      this.faults.clear('protocolError', protocolErrorCause.registers);
      return;
    }
    const detail = [...this.suspects]
      .map(([key, s]) => `register ${key} read ${s.value} (was ${this.baselineOf(key)})`)
      .join(', ')
      .slice(0, 200);
    if (!this.faults.has('protocolError', protocolErrorCause.registers))
      this.alarm('implausibleCount', detail);
    this.faults.raise('protocolError', detail, protocolErrorCause.registers);
  }
}
