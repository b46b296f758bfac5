import type { Duplex } from 'node:stream';
import type { Denomination } from '@cashin/shared';
import type { CcTalkFrame } from '@cashin/terminal-app/devices/cctalk/frame.js';
import { coinErrorCodes } from '@cashin/terminal-app/devices/cctalk/coin-errors.js';
import { ccTalkAddresses, ccTalkHeaders } from '@cashin/terminal-app/devices/cctalk/headers.js';
import type { AcceptedTotals } from '../cctalk/accepted-totals.js';
import { addAccepted } from '../cctalk/accepted-totals.js';
import type { CcTalkSlaveSimOptions } from '../cctalk/cctalk-slave-sim.js';
import { CcTalkSlaveSim } from '../cctalk/cctalk-slave-sim.js';
import type { SlaveLink, SlaveReply } from '../cctalk/slave-link.js';
import { nakReply } from '../cctalk/slave-link.js';

export type CoinAcceptorSimOptions = CcTalkSlaveSimOptions;

export type InsertResult = 'accepted' | 'inhibited' | 'watchdogInhibited' | 'rejected' | 'unknownCoin';

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
  readonly totals: AcceptedTotals;
  readonly channels: readonly Denomination[];
  private readonly slave: CcTalkSlaveSim;
  private lastCreditPollMs: number | undefined;
  private acceptingWaiters: Array<() => void> = [];

  constructor(private readonly options: CoinAcceptorSimOptions) {
    this.slave = new CcTalkSlaveSim(
      options,
      {
        address: ccTalkAddresses.coinAcceptor,
        mode: 'simple',
        denominationKind: 'coin',
        category: 'Coin Acceptor',
        productPrefix: 'SIM-CA',
        requestChannelId: ccTalkHeaders.requestCoinId,
        emptyChannelId: '......',
      },
      {
        handle: (frame) => this.handle(frame),
        powerCycle: () => this.powerCycle(),
        inhibitsChanged: () => this.notifyIfAccepting(),
      },
    );
    this.link = this.slave.link;
    this.totals = this.slave.totals;
    this.channels = this.slave.channels;
  }

  attach(stream: Duplex): void {
    this.slave.attach(stream);
  }

  get eventCounter(): number {
    return this.slave.buffer.counter;
  }

  /** Whether a coin inserted now would be accepted (the tech's "status"). */
  get accepting(): boolean {
    return this.slave.anyEnabled && !this.watchdogTripped();
  }

  /** Resolves once the host has enabled at least one coin and the master inhibit (a tech's "ready"). */
  whenAccepting(): Promise<void> {
    if (this.slave.anyEnabled) return Promise.resolve();
    return new Promise((resolve) => this.acceptingWaiters.push(resolve));
  }

  private notifyIfAccepting(): void {
    if (!this.slave.anyEnabled) return;
    for (const resolve of this.acceptingWaiters.splice(0)) resolve();
  }

  denominationFor(idOrValue: string | number): { channel: number; denomination: Denomination } | undefined {
    return this.slave.find(idOrValue);
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
    if (!this.slave.enabled(found.channel)) {
      this.totals.rejected += 1;
      this.slave.buffer.push(0, 128 + found.channel - 1);
      return 'inhibited';
    }
    this.slave.buffer.push(found.channel, sorterPath);
    addAccepted(this.totals, found.denomination.ccTalkId, found.denomination.valueMinor);
    return 'accepted';
  }

  /** A slug or foreign coin: given back, reported as "reject coin". */
  reject(): void {
    this.totals.rejected += 1;
    this.slave.buffer.push(0, coinErrorCodes.rejectCoin);
  }

  jam(): void {
    this.slave.jammed = true;
    this.slave.buffer.push(0, coinErrorCodes.creditSensorBlocked);
  }

  clearJam(): void {
    this.slave.jammed = false;
  }

  fraud(code: number = coinErrorCodes.coinOnString): void {
    this.slave.buffer.push(0, code);
  }

  /**
   * A raw buffered event (229 pair A, B), for what the model never does by itself: a coin credited on a
   * channel the host has no denomination for, an error code no other method raises. No totals change.
   */
  pushEvent(a: number, b: number): void {
    this.slave.buffer.push(a, b);
  }

  flightDeckOpen(): void {
    this.slave.buffer.push(0, coinErrorCodes.flightDeckOpen);
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
    this.slave.powerUp();
    this.lastCreditPollMs = undefined;
  }

  private watchdogTripped(): boolean {
    const last = this.lastCreditPollMs;
    return (
      last === undefined || this.options.clock.nowMs() - last > this.options.limits.ccTalkDeviceWatchdogMs
    );
  }

  /** The headers only a coin acceptor answers; the shared ones are answered by `CcTalkSlaveSim`. */
  private handle(frame: CcTalkFrame): SlaveReply {
    const h = ccTalkHeaders;
    switch (frame.header) {
      case h.requestInhibitStatus:
      case h.requestMasterInhibit:
        return this.slave.inhibitsReply(frame.header);
      case h.readBufferedCredit:
        this.lastCreditPollMs = this.options.clock.nowMs();
        return { header: h.reply, data: this.slave.buffer.replyData() };
      case h.requestPollingPriority:
        // 200 ms, in units of 10 ms: what the X6 suggests.
        return { header: h.reply, data: [2, 20] };
      default:
        return nakReply;
    }
  }
}
