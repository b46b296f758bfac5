import type { Duplex } from 'node:stream';
import type { Clock, CurrencyCode, Denomination, SystemLimits } from '@cashin/shared';
import { denominationsOf } from '@cashin/shared';
import type { ChecksumMode } from '@cashin/terminal-app/devices/cctalk/checksum.js';
import type { CcTalkFrame } from '@cashin/terminal-app/devices/cctalk/frame.js';
import { ccTalkChannelsMax, ccTalkHeaders } from '@cashin/terminal-app/devices/cctalk/headers.js';
import type { AcceptedTotals } from './accepted-totals.js';
import { emptyTotals } from './accepted-totals.js';
import { EventBuffer } from './event-buffer.js';
import type { SlaveReply } from './slave-link.js';
import { SlaveLink, ackReply, nakReply } from './slave-link.js';

/** What every simulated ccTalk acceptor is configured with. */
export interface CcTalkSlaveSimOptions {
  readonly currency: CurrencyCode;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  readonly echo?: boolean;
  /** Pace replies at this baud rate; undefined replies as fast as the pipe goes. Default 9600. */
  readonly baud?: number | undefined;
  readonly replyLatencyMs?: number;
  readonly serialNumber?: number;
}

/** What tells one kind of simulated acceptor from another on the parts they share. */
export interface CcTalkSlaveProfile {
  readonly address: number;
  readonly mode: ChecksumMode;
  readonly denominationKind: Denomination['kind'];
  /** Answer to request equipment category (245). */
  readonly category: string;
  /** Product code (244) before the currency: `SIM-CA` gives `SIM-CA-USD`. */
  readonly productPrefix: string;
  /** The header that asks for a channel's id (184 coin, 157 bill). */
  readonly requestChannelId: number;
  /** What an empty channel answers: dots as long as a real id of this kind. */
  readonly emptyChannelId: string;
}

/** How the shared part reaches back into the device model that owns it. */
export interface CcTalkSlaveHooks {
  /** Every header the shared part does not answer; a device NAKs what it does not know either. */
  readonly handle: (frame: CcTalkFrame) => SlaveReply;
  /** The host sent reset device (1): the device behaves as after a power cycle. */
  readonly powerCycle: () => void;
  /** The channel mask or the master inhibit just changed. */
  readonly inhibitsChanged?: () => void;
}

/** The self-check fault code the simulator reports while jammed (ccTalk fault "coin return mechanism"). */
const jamSelfCheckFaultCode = 6;
const serialNumberDefault = 12_345_678;

/**
 * The part of a simulated ccTalk acceptor that coin and bill share: the slave end of the bus, a channel
 * per denomination of its currency, the event buffer and counter, the inhibit masks, a jam that fails the
 * self-check, and the identification replies. The device model keeps what is its own (watchdog, escrow,
 * stacker) and answers the headers this part does not.
 */
export class CcTalkSlaveSim {
  readonly link: SlaveLink;
  readonly totals: AcceptedTotals = emptyTotals();
  readonly channels: readonly Denomination[];
  readonly buffer: EventBuffer;
  /** While jammed the self-check (232) fails; the device model sets and clears it. */
  jammed = false;
  private inhibitMask = 0;
  private masterEnabled = false;

  constructor(
    private readonly options: CcTalkSlaveSimOptions,
    private readonly profile: CcTalkSlaveProfile,
    private readonly hooks: CcTalkSlaveHooks,
  ) {
    this.channels = denominationsOf(options.currency, profile.denominationKind).slice(0, ccTalkChannelsMax);
    this.buffer = new EventBuffer(options.limits.ccTalkEventBufferSize);
    this.link = new SlaveLink(
      {
        address: profile.address,
        mode: profile.mode,
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

  /** The channel (1..16) of a denomination given by id ("US0020A") or value in minor units (2000). */
  find(idOrValue: string | number): { channel: number; denomination: Denomination } | undefined {
    const index = this.channels.findIndex((d) =>
      typeof idOrValue === 'number' ? d.valueMinor === idOrValue : d.ccTalkId === idOrValue.toUpperCase(),
    );
    const denomination = this.channels[index];
    return denomination ? { channel: index + 1, denomination } : undefined;
  }

  /** Whether the host enabled at least one channel and the master inhibit. */
  get anyEnabled(): boolean {
    return this.masterEnabled && this.inhibitMask !== 0;
  }

  enabled(channel: number): boolean {
    return this.masterEnabled && (this.inhibitMask & (1 << (channel - 1))) !== 0;
  }

  /** Power-up state: counter 0, buffer empty, every channel inhibited, no jam. */
  powerUp(): void {
    this.buffer.reset();
    this.inhibitMask = 0;
    this.masterEnabled = false;
    this.jammed = false;
  }

  /** Replies to the channel mask and master inhibit reads (230, 227), for devices that answer them. */
  inhibitsReply(header: number): SlaveReply {
    return header === ccTalkHeaders.requestInhibitStatus
      ? { header: ccTalkHeaders.reply, data: [this.inhibitMask & 0xff, this.inhibitMask >> 8] }
      : { header: ccTalkHeaders.reply, data: [this.masterEnabled ? 1 : 0] };
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
        return ascii(this.profile.category);
      case h.requestProductCode:
        return ascii(`${this.profile.productPrefix}-${this.options.currency}`);
      case h.requestSerialNumber: {
        const serial = this.options.serialNumber ?? serialNumberDefault;
        return { header: h.reply, data: [serial & 0xff, (serial >> 8) & 0xff, (serial >> 16) & 0xff] };
      }
      case h.requestSoftwareRevision:
        return ascii('1.0.0');
      case this.profile.requestChannelId: {
        const channel = frame.data[0] ?? 0;
        if (channel < 1 || channel > ccTalkChannelsMax) return nakReply;
        const denomination = this.channels[channel - 1];
        return ascii(denomination ? denomination.ccTalkId : this.profile.emptyChannelId);
      }
      case h.modifyInhibitStatus:
        if (frame.data.length !== 2) return nakReply;
        this.inhibitMask = (frame.data[0] ?? 0) | ((frame.data[1] ?? 0) << 8);
        this.hooks.inhibitsChanged?.();
        return ackReply;
      case h.modifyMasterInhibit:
        if (frame.data.length !== 1) return nakReply;
        this.masterEnabled = ((frame.data[0] ?? 0) & 1) === 1;
        this.hooks.inhibitsChanged?.();
        return ackReply;
      case h.performSelfCheck:
        return { header: h.reply, data: [this.jammed ? jamSelfCheckFaultCode : 0] };
      case h.resetDevice:
        this.hooks.powerCycle();
        return ackReply;
      default:
        return this.hooks.handle(frame);
    }
  }
}
