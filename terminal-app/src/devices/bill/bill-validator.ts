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
import { classifyBillStatus } from '../cctalk/bill-status.js';
import type { CcTalkAcceptorProfile } from '../cctalk/cctalk-acceptor.js';
import { CcTalkAcceptor } from '../cctalk/cctalk-acceptor.js';
import type { EventCounterBaseline } from '../cctalk/event-counter.js';
import { withEventCounter } from '../cctalk/event-counter.js';
import type { ChecksumMode } from '../cctalk/checksum.js';
import { billRoute, billRouteError, ccTalkAddresses, ccTalkHeaders } from '../cctalk/headers.js';
import type { BufferedEventPair, Parsed } from '../cctalk/parsers.js';
import { parseBillId, parseEmpty } from '../cctalk/parsers.js';
import type { AlarmSink } from '../common/driver.js';
import { DriverScaffold } from '../common/driver-scaffold.js';

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
  /** The journal's last event counter for this device (see CcTalkAcceptorOptions). */
  readonly eventCounterBaseline?: EventCounterBaseline | undefined;
  /** Where one-off alarms (fraud attempts, refused routes, bills of unknown value) are logged. */
  readonly onAlarm?: AlarmSink | undefined;
}

/** Bill operating mode (153): bit 0 use the stacker, bit 1 use escrow. */
const operatingModeStackerAndEscrow = 0b11;
/** Route bill (154) replies with one data byte when it could not route. */
function parseRouteReply(data: Uint8Array): Parsed<number | null> {
  if (data.length === 0) return { ok: true, value: null };
  if (data.length === 1) return { ok: true, value: data[0] ?? 0 };
  return { ok: false, error: { code: 'badLength', what: `route bill: ${data.length} bytes` } };
}

const billValidatorProfile: CcTalkAcceptorProfile = {
  kind: 'billValidator',
  denominationKind: 'bill',
  requestChannelId: ccTalkHeaders.requestBillId,
  parseChannelId: parseBillId,
  readBufferedEvents: ccTalkHeaders.readBufferedBillEvents,
  selfCheckClearable: ['jam'],
  masterInhibitFirstWhenClosing: false,
};

/**
 * A ccTalk bill validator (address 40, CRC-16 by default) with escrow.
 *
 * A bill that validates is held in escrow and reported as an `escrow` event; the driver then asks the
 * escrow decision and routes it (154): stacked only when the deposit can take it, otherwise returned.
 * A stacked bill becomes a `credit`; a returned one a `reject` with reason `returnedFromEscrow`; a bill
 * stacked that the kiosk cannot value (an unknown bill, a channel with no denomination) is `lostEvents`,
 * which holds the deposit for review. Stacker full, removed, faulty and jams are faults; stacker inserted /
 * OK and a passing self-check clear them. Fraud statuses are rejects, logged as alarms.
 */
export class BillValidator extends DriverScaffold {
  readonly kind = 'billValidator' as const;
  private readonly acceptor: CcTalkAcceptor;
  /** The bill we last saw in escrow, so a "returned from escrow" can say what was returned. */
  private escrowed: Denomination | undefined;
  /** A route decision in progress; polling goes on meanwhile, so a slow decision never stalls events. */
  private routing: Promise<void> = Promise.resolve();
  /** Resolves when close() begins: a decision still pending then is taken as "return the bill". */
  private signalClosing: () => void = () => undefined;
  private readonly closing = new Promise<void>((resolve) => (this.signalClosing = resolve));

  constructor(private readonly options: BillValidatorOptions) {
    super(options.name, options.limits, options.onAlarm);
    this.acceptor = new CcTalkAcceptor(
      {
        ...options,
        address: options.address ?? ccTalkAddresses.billValidator,
        checksum: options.checksum ?? 'crc16',
      },
      billValidatorProfile,
      {
        emit: (event) => this.emit(event),
        faults: this.faults,
        alarm: (alarm, detail) => this.alarm(alarm, detail),
        handlePair: (pair, newest) => this.handlePair(pair, newest),
        configure: () => this.useStackerAndEscrow(),
        forgetHeld: () => {
          this.escrowed = undefined;
        },
        settle: () => this.routing,
      },
    );
  }

  get billTable(): ReadonlyMap<number, Denomination> {
    return this.acceptor.channels;
  }

  start(): Promise<void> {
    return this.acceptor.start();
  }

  /** Enables exactly the bills worth at most `remainingMinor`; 0 refuses every bill. */
  setAcceptLimit(remainingMinor: number): Promise<boolean> {
    return this.acceptor.setAcceptLimit(remainingMinor);
  }

  inhibitAll(): Promise<boolean> {
    return this.acceptor.setAcceptLimit(0);
  }

  replaceStream(stream: Duplex): void {
    this.acceptor.device.replaceStream(stream);
  }

  override status(): DeviceStatus {
    return this.statusNow(this.acceptor.refusing);
  }

  selfTest(): Promise<DeviceDiagnostics> {
    return this.acceptor.selfTest();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.signalClosing();
    // Lets a route in progress finish (a pending decision now returns the bill), then inhibits.
    await this.acceptor.close();
    this.finishClose();
  }

  private async useStackerAndEscrow(): Promise<void> {
    await this.acceptor.device.ask(
      ccTalkHeaders.modifyBillOperatingMode,
      [operatingModeStackerAndEscrow],
      parseEmpty,
    );
  }

  /** The device's serial number as read at start; null when it did not say. */
  get serialNumber(): string | null {
    return this.acceptor.serialNumber;
  }

  /** The event counter the driver started from; see `CcTalkAcceptor.startCounter`. */
  get startCounter(): number | undefined {
    return this.acceptor.startCounter;
  }

  /** Whether it started from the journal's counter; see `CcTalkAcceptor.resumedFromJournal`. */
  get resumedFromJournal(): boolean {
    return this.acceptor.resumedFromJournal;
  }

  /** Events from the device's buffer carry its event counter, which the journal keeps as the baseline. */
  protected override emit(event: DeviceEvent): void {
    super.emit(withEventCounter(event, this.acceptor.reportingCounter));
  }

  private handlePair(pair: BufferedEventPair, newest: boolean): void {
    if (pair.a !== 0) {
      const bill = this.acceptor.channels.get(pair.a);
      if (!bill) {
        if (pair.b === 1) {
          // Still in escrow, so not taken: the validator gives it back by itself when no route comes.
          this.emit({ device: this.name, type: 'reject', reason: 'unknownDenomination', count: 1 });
          return;
        }
        // Stacked, so in the cassette, on a channel the kiosk has no denomination for: money of unknown
        // value, which holds the deposit for review rather than being booked as a reject.
        this.escrowed = undefined;
        this.unknownMoney(`bill stacked on channel ${pair.a} with no denomination`);
        return;
      }
      if (pair.b === 1) {
        this.escrowed = bill;
        this.emit({
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
      this.emit({
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
        this.emit({
          device: this.name,
          type: 'reject',
          reason: 'returnedFromEscrow',
          count: 1,
          ...(bill ? { valueMinor: bill.valueMinor, ccTalkId: bill.ccTalkId } : {}),
        });
        return;
      }
      case 'rejected':
        // A fraud status is about one bill the validator refused: a reject, logged as an alarm.
        if (status.fraud) this.alarm('fraudAttempt', `status ${pair.b}`);
        this.emit({ device: this.name, type: 'reject', reason: 'rejected', count: 1 });
        return;
      case 'inhibited':
        this.emit({ device: this.name, type: 'reject', reason: 'inhibited', count: 1 });
        return;
      case 'fault':
        this.faults.raise(status.fault, `status ${pair.b}`);
        return;
      case 'stackerOk':
        this.faults.clear('stackerFull');
        this.faults.clear('stackerFaulty');
        return;
      case 'stackerInserted':
        this.faults.clear('stackerRemoved');
        return;
      case 'unknownBillStacked':
        this.escrowed = undefined;
        this.unknownMoney(`status ${pair.b} (unknown bill stacked)`);
        return;
    }
  }

  private unknownMoney(detail: string): void {
    this.alarm('unknownMoney', detail);
    this.emit({ device: this.name, type: 'lostEvents', count: 1 });
  }

  /** A decision that fails gives the bill back: returning money is always safe, stacking it is not. */
  private decide(bill: Denomination): Promise<boolean> {
    const decide =
      this.options.decideEscrow ?? ((b: Denomination) => b.valueMinor <= this.acceptor.acceptLimitMinor);
    try {
      return Promise.resolve(decide(bill)).catch(() => false);
    } catch {
      return Promise.resolve(false);
    }
  }

  private async route(decision: Promise<boolean>): Promise<void> {
    const stack = await Promise.race([decision, this.closing.then(() => false)]);
    const refused = await this.sendRoute(stack ? billRoute.stack : billRoute.returnBill);
    // A refusal is one bill's answer, not a broken device: what became of the bill comes in the next 159
    // (stacked, or returned from escrow), and a stacker that cannot take it says so as its own fault. A
    // refused stack leaves the bill in escrow, so it is handed back now rather than at the validator's
    // escrow timeout; returning money is always safe. A refused return is left to that timeout.
    if (refused === null) return;
    this.alarm('routeRefused', `${stack ? 'stack' : 'return'} refused (${refused})`);
    if (stack && refused !== billRouteError.escrowEmpty) await this.sendRoute(billRoute.returnBill);
  }

  /** Sends route bill (154); resolves with the validator's error code when it refused, else null. */
  private async sendRoute(route: number): Promise<number | null> {
    // Not retried: if the reply was lost the bill may already be stacked; the next 159 says what happened.
    const reply = await this.acceptor.device.ask(ccTalkHeaders.routeBill, [route], parseRouteReply, {
      retry: false,
    });
    return reply.ok ? reply.value : null;
  }
}
