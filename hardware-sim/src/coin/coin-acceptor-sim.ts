import type { Duplex } from 'node:stream';
import type { Clock, CurrencyCode, Denomination, SystemLimits } from '@cashin/shared';
import { denominationsOf } from '@cashin/shared';
import type { CcTalkFrame } from '@cashin/terminal-app/devices/cctalk/frame.js';
import { coinErrorCodes } from '@cashin/terminal-app/devices/cctalk/coin-errors.js';
import {
  ccTalkAddresses,
  ccTalkChannelsMax,
  ccTalkHeaders,
} from '@cashin/terminal-app/devices/cctalk/headers.js';
import type { AcceptedTotals } from '../cctalk/accepted-totals.js';
import { addAccepted, emptyTotals } from '../cctalk/accepted-totals.js';
import { EventBuffer } from '../cctalk/event-buffer.js';
import type { SlaveLinkOptions, SlaveReply } from '../cctalk/slave-link.js';
import { SlaveLink, ackReply, nakReply } from '../cctalk/slave-link.js';

export interface CoinAcceptorSimOptions {
  readonly currency: CurrencyCode;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  readonly echo?: boolean;
  /** Pace replies at this baud rate; undefined replies as fast as the pipe goes. Default 9600. */
  readonly baud?: number | undefined;
  readonly replyLatencyMs?: number;
  readonly serialNumber?: number;
}

export type InsertResult = 'accepted' | 'inhibited' | 'watchdogInhibited' | 'rejected' | 'unknownCoin';

/** The self-check fault code the simulator reports while jammed (ccTalk fault "coin return mechanism"). */
const jamSelfCheckFaultCode = 6;
/** Sorter path reported with every accepted coin; this acceptor has one cash box. */
const sorterPath = 1;

/**
 * A ccTalk coin acceptor as the kiosk sees it over the wire: address 2, 8-bit checksum, a coin per channel
 * for its currency, the 5-event buffer and counter, inhibit masks, and the credit poll watchdog (no 229
 * for `ccTalkDeviceWatchdogMs` and it refuses coins without raising events, as SR5/X6 do). Like the X6 it
 * accepts nothing until the first 229 after power-up.
 */
export class CoinAcceptorSim {
  readonly link: SlaveLink;
  readonly totals: AcceptedTotals = emptyTotals();
  readonly channels: readonly Denomination[];
  private readonly buffer: EventBuffer;
  private inhibitMask = 0;
  private masterEnabled = false;
  private lastCreditPollMs: number | undefined;
  private jammed = false;
  private acceptingWaiters: Array<() => void> = [];

  constructor(private readonly options: CoinAcceptorSimOptions) {
    this.channels = denominationsOf(options.currency, 'coin').slice(0, ccTalkChannelsMax);
    this.buffer = new EventBuffer(options.limits.ccTalkEventBufferSize);
    const linkOptions: SlaveLinkOptions = {
      address: ccTalkAddresses.coinAcceptor,
      mode: 'simple',
      clock: options.clock,
      limits: options.limits,
      echo: options.echo ?? true,
      replyLatencyMs: options.replyLatencyMs ?? 2,
      baud: 'baud' in options ? options.baud : 9600,
    };
    this.link = new SlaveLink(linkOptions, (frame) => this.handle(frame));
  }

  attach(stream: Duplex): void {
    this.link.attach(stream);
  }

  get eventCounter(): number {
    return this.buffer.counter;
  }

  /** Whether a coin inserted now would be accepted (the tech's "status"). */
  get accepting(): boolean {
    return this.masterEnabled && this.inhibitMask !== 0 && !this.watchdogTripped();
  }

  /** Resolves once the host has enabled at least one coin and the master inhibit (a tech's "ready"). */
  whenAccepting(): Promise<void> {
    if (this.masterEnabled && this.inhibitMask !== 0) return Promise.resolve();
    return new Promise((resolve) => this.acceptingWaiters.push(resolve));
  }

  private notifyIfAccepting(): void {
    if (!this.masterEnabled || this.inhibitMask === 0) return;
    for (const resolve of this.acceptingWaiters.splice(0)) resolve();
  }

  denominationFor(idOrValue: string | number): { channel: number; denomination: Denomination } | undefined {
    const index = this.channels.findIndex((d) =>
      typeof idOrValue === 'number' ? d.valueMinor === idOrValue : d.ccTalkId === idOrValue.toUpperCase(),
    );
    const denomination = this.channels[index];
    return denomination ? { channel: index + 1, denomination } : undefined;
  }

  /** A shopper drops one coin in. */
  insert(idOrValue: string | number): InsertResult {
    const found = this.denominationFor(idOrValue);
    if (!found) {
      this.reject();
      return 'unknownCoin';
    }
    // Under the watchdog the coin is refused with no event at all: the host was not listening.
    if (this.watchdogTripped()) {
      this.totals.rejected += 1;
      return 'watchdogInhibited';
    }
    const enabled = this.masterEnabled && (this.inhibitMask & (1 << (found.channel - 1))) !== 0;
    if (!enabled) {
      this.totals.rejected += 1;
      this.buffer.push(0, 128 + found.channel - 1);
      return 'inhibited';
    }
    this.buffer.push(found.channel, sorterPath);
    addAccepted(this.totals, found.denomination.ccTalkId, found.denomination.valueMinor);
    return 'accepted';
  }

  /** A slug or foreign coin: given back, reported as "reject coin". */
  reject(): void {
    this.totals.rejected += 1;
    this.buffer.push(0, coinErrorCodes.rejectCoin);
  }

  jam(): void {
    this.jammed = true;
    this.buffer.push(0, coinErrorCodes.creditSensorBlocked);
  }

  clearJam(): void {
    this.jammed = false;
  }

  fraud(code: number = coinErrorCodes.coinOnString): void {
    this.buffer.push(0, code);
  }

  flightDeckOpen(): void {
    this.buffer.push(0, coinErrorCodes.flightDeckOpen);
  }

  /**
   * `count` events the host can never see: `count + buffer size` coins arrive between two polls, so the
   * buffer holds the newest few and the counter says how many more there were. All are accepted money.
   */
  dropEvents(count: number, idOrValue: string | number): void {
    const burst = count + this.options.limits.ccTalkEventBufferSize;
    for (let i = 0; i < burst; i += 1) this.insert(idOrValue);
  }

  /** Power loss: counter to 0, buffer empty, every coin inhibited until the host says otherwise. */
  powerCycle(): void {
    this.buffer.reset();
    this.inhibitMask = 0;
    this.masterEnabled = false;
    this.lastCreditPollMs = undefined;
    this.jammed = false;
  }

  private watchdogTripped(): boolean {
    const last = this.lastCreditPollMs;
    return (
      last === undefined || this.options.clock.nowMs() - last > this.options.limits.ccTalkDeviceWatchdogMs
    );
  }

  private handle(frame: CcTalkFrame): SlaveReply {
    const h = ccTalkHeaders;
    const ascii = (text: string): SlaveReply => ({ header: h.reply, data: Buffer.from(text, 'latin1') });
    switch (frame.header) {
      case h.simplePoll:
        return ackReply;
      case h.requestManufacturerId:
        return ascii('CashinSim');
      case h.requestEquipmentCategory:
        return ascii('Coin Acceptor');
      case h.requestProductCode:
        return ascii(`SIM-CA-${this.options.currency}`);
      case h.requestSerialNumber: {
        const serial = this.options.serialNumber ?? 12_345_678;
        return { header: h.reply, data: [serial & 0xff, (serial >> 8) & 0xff, (serial >> 16) & 0xff] };
      }
      case h.requestSoftwareRevision:
        return ascii('1.0.0');
      case h.requestCoinId: {
        const channel = frame.data[0] ?? 0;
        const denomination = this.channels[channel - 1];
        if (channel < 1 || channel > ccTalkChannelsMax) return nakReply;
        return ascii(denomination ? denomination.ccTalkId : '......');
      }
      case h.modifyInhibitStatus:
        if (frame.data.length !== 2) return nakReply;
        this.inhibitMask = (frame.data[0] ?? 0) | ((frame.data[1] ?? 0) << 8);
        this.notifyIfAccepting();
        return ackReply;
      case h.requestInhibitStatus:
        return { header: h.reply, data: [this.inhibitMask & 0xff, this.inhibitMask >> 8] };
      case h.modifyMasterInhibit:
        if (frame.data.length !== 1) return nakReply;
        this.masterEnabled = ((frame.data[0] ?? 0) & 1) === 1;
        this.notifyIfAccepting();
        return ackReply;
      case h.requestMasterInhibit:
        return { header: h.reply, data: [this.masterEnabled ? 1 : 0] };
      case h.readBufferedCredit:
        this.lastCreditPollMs = this.options.clock.nowMs();
        return { header: h.reply, data: this.buffer.replyData() };
      case h.performSelfCheck:
        return { header: h.reply, data: [this.jammed ? jamSelfCheckFaultCode : 0] };
      case h.requestPollingPriority:
        // 200 ms, in units of 10 ms: what the X6 suggests.
        return { header: h.reply, data: [2, 20] };
      case h.resetDevice:
        this.powerCycle();
        return ackReply;
      default:
        return nakReply;
    }
  }
}
