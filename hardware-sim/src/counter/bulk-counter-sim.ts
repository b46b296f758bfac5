import type { Duplex } from 'node:stream';
import type { Clock, CurrencyCode, Denomination, TimerHandle } from '@cashin/shared';
import { denominationsOf } from '@cashin/shared';
import {
  ACK,
  ESC,
  NAK,
  checksum,
  counterCommands,
  counterStatusBits,
  encodeRegister,
  encodeReply,
  registerIdBytes,
} from '@cashin/terminal-app/devices/counter/scan-coin-protocol.js';
import type { AcceptedTotals } from '../cctalk/accepted-totals.js';
import { addAccepted, emptyTotals } from '../cctalk/accepted-totals.js';
import { lineTimeMs } from '../cctalk/line-timing.js';

/** Pour speeds from a basic counter (about 300 coins/min) to a JetSort (6,000 mixed coins/min). */
export const coinsPerMinuteMin = 300;
export const coinsPerMinuteMax = 6_000;

export interface BulkCounterSimOptions {
  readonly currency: CurrencyCode;
  readonly clock: Clock;
  readonly baud?: number | undefined;
  /** A seeded source of randomness for the coin mix and rejects; tests pass their own. */
  readonly random?: () => number;
}

export interface PourOptions {
  readonly coins: number;
  readonly coinsPerMinute?: number;
  /** Share of coins rejected (foreign coins, slugs, bent coins), 0..1. */
  readonly rejectRate?: number;
  /** Only this denomination (ccTalk id); a realistic mix when absent. */
  readonly ccTalkId?: string;
}

/** A seeded generator (mulberry32), so a pour can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A Scan Coin style batch counter on RS-232 (see scan-coin-protocol.ts in terminal-app): count registers
 * per denomination that only grow, a reject register, and a status of counting / batch done / door open.
 * `pour` feeds coins at a set rate on the injected clock.
 */
export class BulkCounterSim {
  readonly totals: AcceptedTotals = emptyTotals();
  readonly registers: readonly Denomination[];
  private readonly counts: number[];
  private rejects = 0;
  private loggedOn = false;
  private counting = false;
  private batchDone = false;
  doorOpen = false;
  muted = false;
  private pending = Buffer.alloc(0);
  private stream: Duplex | undefined;
  private pourTimer: TimerHandle | undefined;
  private misread: { register: number; extra: number; reads: number } | undefined;
  private pourFinished: Array<() => void> = [];
  private readonly random: () => number;

  constructor(private readonly options: BulkCounterSimOptions) {
    this.registers = denominationsOf(options.currency, 'coin');
    this.counts = this.registers.map(() => 0);
    this.random = options.random ?? seededRandom(1);
  }

  attach(stream: Duplex): void {
    this.stream = stream;
    this.pending = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      if (this.stream === stream) this.receive(chunk);
    });
  }

  get isCounting(): boolean {
    return this.counting;
  }

  /** Pours `coins` at `coinsPerMinute`; resolves when the last coin was counted. */
  pour(options: PourOptions): Promise<void> {
    const rate = Math.min(Math.max(options.coinsPerMinute ?? 1_200, coinsPerMinuteMin), coinsPerMinuteMax);
    const intervalMs = 60_000 / rate;
    let left = options.coins;
    this.counting = left > 0;
    this.batchDone = false;
    const done = new Promise<void>((resolve) => this.pourFinished.push(resolve));
    const next = (): void => {
      if (left <= 0 || this.doorOpen) {
        this.counting = false;
        this.batchDone = left <= 0;
        for (const resolve of this.pourFinished.splice(0)) resolve();
        return;
      }
      left -= 1;
      this.countOne(options);
      this.pourTimer = this.options.clock.setTimeout(next, intervalMs);
    };
    if (this.pourTimer) this.options.clock.clearTimeout(this.pourTimer);
    this.pourTimer = this.options.clock.setTimeout(next, intervalMs);
    return done;
  }

  /**
   * The next `reads` reads of register `register` answer `extra` more than it holds, with a good checksum:
   * a count garbled in the counter, which the host can only catch by its size.
   */
  misreadRegister(register: number, extra: number, reads = 1): void {
    this.misread = { register, extra, reads };
  }

  /**
   * A technician clears the counter at its keypad: the registers go back to zero, and the host stays logged
   * on (unlike a power loss), so only the registers themselves tell the host.
   */
  clearRegisters(): void {
    this.counts.fill(0);
    this.rejects = 0;
  }

  /** Power loss: the registers go back to zero (what was counted stays counted in `totals`). */
  powerCycle(): void {
    this.counts.fill(0);
    this.rejects = 0;
    this.loggedOn = false;
  }

  private countOne(options: PourOptions): void {
    if (this.random() < (options.rejectRate ?? 0)) {
      this.rejects += 1;
      this.totals.rejected += 1;
      return;
    }
    let index = options.ccTalkId ? this.registers.findIndex((d) => d.ccTalkId === options.ccTalkId) : -1;
    if (index < 0) index = Math.floor(this.random() * this.registers.length);
    const denomination = this.registers[index];
    if (!denomination) return;
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    addAccepted(this.totals, denomination.ccTalkId, denomination.valueMinor);
  }

  private receive(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const start = this.pending.indexOf(ESC);
      if (start < 0) {
        this.pending = Buffer.alloc(0);
        return;
      }
      this.pending = this.pending.subarray(start);
      const command = this.pending.subarray(1, 3).toString('latin1');
      const hasArg = command === counterCommands.readRegister || command === counterCommands.readRegisterId;
      const length = hasArg ? 5 : 4;
      if (this.pending.length < length) return;
      const body = this.pending.subarray(1, length - 1);
      const ok = checksum(body) === this.pending[length - 1];
      const arg = hasArg ? (this.pending[3] ?? 0) : undefined;
      this.pending = this.pending.subarray(ok ? length : 1);
      if (!ok) continue;
      this.reply(this.answer(command, arg));
    }
  }

  private answer(command: string, arg: number | undefined): Uint8Array {
    if (command === counterCommands.logOn) {
      this.loggedOn = true;
      return Uint8Array.of(ACK);
    }
    if (!this.loggedOn) return Uint8Array.of(NAK);
    switch (command) {
      case counterCommands.readStatus: {
        const b = counterStatusBits;
        const status =
          (this.counting ? b.counting : 0) |
          (this.batchDone ? b.batchDone : 0) |
          (this.doorOpen ? b.doorOpen : 0) |
          (this.rejects > 0 ? b.rejectsPresent : 0);
        return encodeReply([status]);
      }
      case counterCommands.readCount:
        return encodeReply(encodeRegister(this.counts.reduce((a, b) => a + b, 0)));
      case counterCommands.readRejects:
        return encodeReply(encodeRegister(this.rejects));
      case counterCommands.readRegister: {
        const count = this.counts[arg ?? -1];
        if (count === undefined) return Uint8Array.of(NAK);
        const misread = this.misread;
        if (!misread || misread.register !== arg || misread.reads <= 0) {
          return encodeReply(encodeRegister(count));
        }
        misread.reads -= 1;
        return encodeReply(encodeRegister(count + misread.extra));
      }
      case counterCommands.readRegisterId: {
        const denomination = this.registers[arg ?? -1];
        if (!denomination) return Uint8Array.of(NAK);
        return encodeReply(Buffer.from(denomination.ccTalkId.padEnd(registerIdBytes, ' '), 'latin1'));
      }
      default:
        return Uint8Array.of(NAK);
    }
  }

  private reply(bytes: Uint8Array): void {
    if (this.muted) return;
    const stream = this.stream;
    const delayMs = this.options.baud === undefined ? 0 : lineTimeMs(bytes.length, this.options.baud);
    this.options.clock.setTimeout(() => {
      if (stream && stream === this.stream && !stream.destroyed) stream.write(Buffer.from(bytes));
    }, delayMs);
  }
}
