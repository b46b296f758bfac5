import type { Duplex } from 'node:stream';
import type { Clock, CurrencyCode, Denomination, SystemLimits, TimerHandle } from '@cashin/shared';
import { denominationsOf } from '@cashin/shared';
import { billStatusCodes } from '@cashin/terminal-app/devices/cctalk/bill-status.js';
import type { CcTalkFrame } from '@cashin/terminal-app/devices/cctalk/frame.js';
import {
  billRoute,
  billRouteError,
  ccTalkAddresses,
  ccTalkChannelsMax,
  ccTalkHeaders,
} from '@cashin/terminal-app/devices/cctalk/headers.js';
import type { AcceptedTotals } from '../cctalk/accepted-totals.js';
import { addAccepted, emptyTotals } from '../cctalk/accepted-totals.js';
import { EventBuffer } from '../cctalk/event-buffer.js';
import type { SlaveReply } from '../cctalk/slave-link.js';
import { SlaveLink, ackReply, nakReply } from '../cctalk/slave-link.js';

export interface BillValidatorSimOptions {
  readonly currency: CurrencyCode;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  readonly echo?: boolean;
  readonly baud?: number | undefined;
  readonly replyLatencyMs?: number;
  /** Bills the cash box holds before it reports "stacker full". */
  readonly stackerCapacity?: number;
}

export type BillInsertResult = 'escrowed' | 'inhibited' | 'busy' | 'stackerProblem' | 'unknownBill';

const defaultStackerCapacity = 500;
const jamSelfCheckFaultCode = 6;

/**
 * A ccTalk bill validator: address 40, CRC-16, escrow. A valid bill waits in escrow (159: type, 1) until
 * the host routes it (154): stacked (type, 0) and counted, or returned (0, 1). Left there past
 * `billEscrowTimeoutMs`, it is returned on the validator's own initiative.
 */
export class BillValidatorSim {
  readonly link: SlaveLink;
  readonly totals: AcceptedTotals = emptyTotals();
  readonly channels: readonly Denomination[];
  private readonly buffer: EventBuffer;
  private inhibitMask = 0;
  private masterEnabled = false;
  private escrow: { channel: number; timer: TimerHandle } | undefined;
  private stacked = 0;
  private stackerIn = true;
  private jammed = false;

  constructor(private readonly options: BillValidatorSimOptions) {
    this.channels = denominationsOf(options.currency, 'bill').slice(0, ccTalkChannelsMax);
    this.buffer = new EventBuffer(options.limits.ccTalkEventBufferSize);
    this.link = new SlaveLink(
      {
        address: ccTalkAddresses.billValidator,
        mode: 'crc16',
        clock: options.clock,
        limits: options.limits,
        echo: options.echo ?? true,
        replyLatencyMs: options.replyLatencyMs ?? 2,
        baud: 'baud' in options ? options.baud : 9600,
      },
      (frame) => this.handle(frame),
    );
  }

  attach(stream: Duplex): void {
    this.link.attach(stream);
  }

  get billInEscrow(): Denomination | undefined {
    return this.escrow ? this.channels[this.escrow.channel - 1] : undefined;
  }

  private get stackerFull(): boolean {
    return this.stacked >= (this.options.stackerCapacity ?? defaultStackerCapacity);
  }

  /** A shopper feeds a bill, by id ("US0020A") or value in minor units (2000). */
  insert(idOrValue: string | number): BillInsertResult {
    const index = this.channels.findIndex((d) =>
      typeof idOrValue === 'number' ? d.valueMinor === idOrValue : d.ccTalkId === idOrValue.toUpperCase(),
    );
    const channel = index + 1;
    if (index < 0) {
      this.totals.rejected += 1;
      this.buffer.push(0, billStatusCodes.invalidBillValidation);
      return 'unknownBill';
    }
    if (this.escrow) return 'busy';
    if (!this.stackerIn || this.stackerFull || this.jammed) return 'stackerProblem';
    if (!this.masterEnabled || (this.inhibitMask & (1 << index)) === 0) {
      this.totals.rejected += 1;
      this.buffer.push(0, billStatusCodes.inhibitedBillSerial);
      return 'inhibited';
    }
    this.buffer.push(channel, 1);
    const timer = this.options.clock.setTimeout(
      () => this.returnEscrow(),
      this.options.limits.billEscrowTimeoutMs,
    );
    this.escrow = { channel, timer };
    return 'escrowed';
  }

  fillStacker(): void {
    this.stacked = this.options.stackerCapacity ?? defaultStackerCapacity;
    this.buffer.push(0, billStatusCodes.stackerFull);
  }

  emptyStacker(): void {
    this.stacked = 0;
    this.buffer.push(0, billStatusCodes.stackerOk);
  }

  removeStacker(): void {
    this.stackerIn = false;
    this.buffer.push(0, billStatusCodes.stackerRemoved);
  }

  insertStacker(): void {
    this.stackerIn = true;
    this.buffer.push(0, billStatusCodes.stackerInserted);
  }

  jam(): void {
    this.jammed = true;
    this.buffer.push(0, billStatusCodes.jammedInTransportUnsafe);
  }

  clearJam(): void {
    this.jammed = false;
  }

  fraud(): void {
    this.buffer.push(0, billStatusCodes.stringFraud);
  }

  powerCycle(): void {
    if (this.escrow) this.options.clock.clearTimeout(this.escrow.timer);
    this.escrow = undefined;
    this.buffer.reset();
    this.inhibitMask = 0;
    this.masterEnabled = false;
    this.jammed = false;
  }

  private returnEscrow(): void {
    if (!this.escrow) return;
    this.options.clock.clearTimeout(this.escrow.timer);
    this.escrow = undefined;
    this.totals.rejected += 1;
    this.buffer.push(0, billStatusCodes.returnedFromEscrow);
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
    this.buffer.push(escrow.channel, 0);
    if (this.stackerFull) this.buffer.push(0, billStatusCodes.stackerFull);
    return ackReply;
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
        return ascii('Bill Validator');
      case h.requestProductCode:
        return ascii(`SIM-BV-${this.options.currency}`);
      case h.requestSerialNumber:
        return { header: h.reply, data: [0x4e, 0x61, 0xbc] };
      case h.requestSoftwareRevision:
        return ascii('1.0.0');
      case h.requestBillId: {
        const channel = frame.data[0] ?? 0;
        if (channel < 1 || channel > ccTalkChannelsMax) return nakReply;
        const bill = this.channels[channel - 1];
        return ascii(bill ? bill.ccTalkId : '.......');
      }
      case h.modifyBillOperatingMode:
        return ackReply;
      case h.modifyInhibitStatus:
        if (frame.data.length !== 2) return nakReply;
        this.inhibitMask = (frame.data[0] ?? 0) | ((frame.data[1] ?? 0) << 8);
        return ackReply;
      case h.modifyMasterInhibit:
        if (frame.data.length !== 1) return nakReply;
        this.masterEnabled = ((frame.data[0] ?? 0) & 1) === 1;
        return ackReply;
      case h.readBufferedBillEvents:
        return { header: h.reply, data: this.buffer.replyData() };
      case h.routeBill:
        return frame.data.length === 1 ? this.route(frame.data[0] ?? 0) : nakReply;
      case h.performSelfCheck:
        return { header: h.reply, data: [this.jammed ? jamSelfCheckFaultCode : 0] };
      case h.resetDevice:
        this.powerCycle();
        return ackReply;
      default:
        return nakReply;
    }
  }
}
