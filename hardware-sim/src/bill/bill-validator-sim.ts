import type { Duplex } from 'node:stream';
import type { Denomination, TimerHandle } from '@cashin/shared';
import { billStatusCodes } from '@cashin/terminal-app/devices/cctalk/bill-status.js';
import type { CcTalkFrame } from '@cashin/terminal-app/devices/cctalk/frame.js';
import {
  billRoute,
  billRouteError,
  ccTalkAddresses,
  ccTalkHeaders,
} from '@cashin/terminal-app/devices/cctalk/headers.js';
import type { AcceptedTotals } from '../cctalk/accepted-totals.js';
import { addAccepted } from '../cctalk/accepted-totals.js';
import type { CcTalkSlaveSimOptions } from '../cctalk/cctalk-slave-sim.js';
import { CcTalkSlaveSim } from '../cctalk/cctalk-slave-sim.js';
import type { SlaveLink, SlaveReply } from '../cctalk/slave-link.js';
import { ackReply, nakReply } from '../cctalk/slave-link.js';

export interface BillValidatorSimOptions extends CcTalkSlaveSimOptions {
  /** Bills the cash box holds before it reports "stacker full". */
  readonly stackerCapacity?: number;
}

export type BillInsertResult = 'escrowed' | 'inhibited' | 'busy' | 'stackerProblem' | 'unknownBill';

const defaultStackerCapacity = 500;

/**
 * A ccTalk bill validator: address 40, CRC-16, escrow. A valid bill waits in escrow (159: type, 1) until
 * the host routes it (154): stacked (type, 0) and counted, or returned (0, 1). Left there past
 * `billEscrowTimeoutMs`, it is returned on the validator's own initiative.
 */
export class BillValidatorSim {
  readonly link: SlaveLink;
  readonly totals: AcceptedTotals;
  readonly channels: readonly Denomination[];
  private readonly slave: CcTalkSlaveSim;
  private escrow: { channel: number; timer: TimerHandle } | undefined;
  private stacked = 0;
  private stackerIn = true;

  constructor(private readonly options: BillValidatorSimOptions) {
    this.slave = new CcTalkSlaveSim(
      options,
      {
        address: ccTalkAddresses.billValidator,
        mode: 'crc16',
        denominationKind: 'bill',
        category: 'Bill Validator',
        productPrefix: 'SIM-BV',
        requestChannelId: ccTalkHeaders.requestBillId,
        emptyChannelId: '.......',
      },
      { handle: (frame) => this.handle(frame), powerCycle: () => this.powerCycle() },
    );
    this.link = this.slave.link;
    this.totals = this.slave.totals;
    this.channels = this.slave.channels;
  }

  attach(stream: Duplex): void {
    this.slave.attach(stream);
  }

  get billInEscrow(): Denomination | undefined {
    return this.escrow ? this.channels[this.escrow.channel - 1] : undefined;
  }

  private get stackerFull(): boolean {
    return this.stacked >= (this.options.stackerCapacity ?? defaultStackerCapacity);
  }

  /** A shopper feeds a bill, by id ("US0020A") or value in minor units (2000). */
  insert(idOrValue: string | number): BillInsertResult {
    const found = this.slave.find(idOrValue);
    if (!found) {
      this.totals.rejected += 1;
      this.slave.buffer.push(0, billStatusCodes.invalidBillValidation);
      return 'unknownBill';
    }
    if (this.escrow) return 'busy';
    if (!this.stackerIn || this.stackerFull || this.slave.jammed) return 'stackerProblem';
    const { channel } = found;
    if (!this.slave.enabled(channel)) {
      this.totals.rejected += 1;
      this.slave.buffer.push(0, billStatusCodes.inhibitedBillSerial);
      return 'inhibited';
    }
    this.slave.buffer.push(channel, 1);
    const timer = this.options.clock.setTimeout(
      () => this.returnEscrow(),
      this.options.limits.billEscrowTimeoutMs,
    );
    this.escrow = { channel, timer };
    return 'escrowed';
  }

  fillStacker(): void {
    this.stacked = this.options.stackerCapacity ?? defaultStackerCapacity;
    this.slave.buffer.push(0, billStatusCodes.stackerFull);
  }

  emptyStacker(): void {
    this.stacked = 0;
    this.slave.buffer.push(0, billStatusCodes.stackerOk);
  }

  removeStacker(): void {
    this.stackerIn = false;
    this.slave.buffer.push(0, billStatusCodes.stackerRemoved);
  }

  insertStacker(): void {
    this.stackerIn = true;
    this.slave.buffer.push(0, billStatusCodes.stackerInserted);
  }

  jam(): void {
    this.slave.jammed = true;
    this.slave.buffer.push(0, billStatusCodes.jammedInTransportUnsafe);
  }

  clearJam(): void {
    this.slave.jammed = false;
  }

  fraud(): void {
    this.slave.buffer.push(0, billStatusCodes.stringFraud);
  }

  /**
   * A raw buffered event (159 pair A, B), for what the model never does by itself: an unknown bill
   * stacked (status 21), a bill stacked on a channel the host has no denomination for. No totals change.
   */
  pushEvent(a: number, b: number): void {
    this.slave.buffer.push(a, b);
  }

  powerCycle(): void {
    if (this.escrow) this.options.clock.clearTimeout(this.escrow.timer);
    this.escrow = undefined;
    this.slave.powerUp();
  }

  private returnEscrow(): void {
    if (!this.escrow) return;
    this.options.clock.clearTimeout(this.escrow.timer);
    this.escrow = undefined;
    this.totals.rejected += 1;
    this.slave.buffer.push(0, billStatusCodes.returnedFromEscrow);
  }

  private route(action: number): SlaveReply {
    const escrow = this.escrow;
    if (!escrow) return { header: ccTalkHeaders.reply, data: [billRouteError.escrowEmpty] };
    if (action === billRoute.extendEscrow) return ackReply;
    if (action === billRoute.returnBill) {
      this.returnEscrow();
      return ackReply;
    }
    if (action !== billRoute.stack) return nakReply;
    if (this.stackerFull || !this.stackerIn)
      return { header: ccTalkHeaders.reply, data: [billRouteError.failedToRoute] };
    this.options.clock.clearTimeout(escrow.timer);
    this.escrow = undefined;
    const bill = this.channels[escrow.channel - 1];
    if (bill) addAccepted(this.totals, bill.ccTalkId, bill.valueMinor);
    this.stacked += 1;
    this.slave.buffer.push(escrow.channel, 0);
    if (this.stackerFull) this.slave.buffer.push(0, billStatusCodes.stackerFull);
    return ackReply;
  }

  /** The headers only a bill validator answers; the shared ones are answered by `CcTalkSlaveSim`. */
  private handle(frame: CcTalkFrame): SlaveReply {
    const h = ccTalkHeaders;
    switch (frame.header) {
      case h.modifyBillOperatingMode:
        return ackReply;
      case h.readBufferedBillEvents:
        return { header: h.reply, data: this.slave.buffer.replyData() };
      case h.routeBill:
        return frame.data.length === 1 ? this.route(frame.data[0] ?? 0) : nakReply;
      default:
        return nakReply;
    }
  }
}
