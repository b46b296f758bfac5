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
import type { CcTalkAcceptorProfile } from '../cctalk/cctalk-acceptor.js';
import { CcTalkAcceptor } from '../cctalk/cctalk-acceptor.js';
import type { EventCounterBaseline } from '../cctalk/event-counter.js';
import { withEventCounter } from '../cctalk/event-counter.js';
import type { ChecksumMode } from '../cctalk/checksum.js';
import { classifyCoinError } from '../cctalk/coin-errors.js';
import { ccTalkAddresses, ccTalkHeaders } from '../cctalk/headers.js';
import type { BufferedEventPair } from '../cctalk/parsers.js';
import { parseCoinId } from '../cctalk/parsers.js';
import type { AlarmSink } from '../common/driver.js';
import { DriverScaffold } from '../common/driver-scaffold.js';

export interface CoinAcceptorOptions {
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly stream: Duplex;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  readonly address?: number;
  readonly checksum?: ChecksumMode;
  /** The journal's last event counter for this device (see CcTalkAcceptorOptions). */
  readonly eventCounterBaseline?: EventCounterBaseline | undefined;
  /** Where one-off alarms (fraud attempts, coins of unknown value) are logged. */
  readonly onAlarm?: AlarmSink | undefined;
}

const coinAcceptorProfile: CcTalkAcceptorProfile = {
  kind: 'coinAcceptor',
  denominationKind: 'coin',
  requestChannelId: ccTalkHeaders.requestCoinId,
  parseChannelId: parseCoinId,
  readBufferedEvents: ccTalkHeaders.readBufferedCredit,
  // The device reports these as events, never as "fixed": a passing self-check (232) clears them.
  selfCheckClearable: ['jam', 'flightDeckOpen', 'selfCheckFailed'],
  masterInhibitFirstWhenClosing: true,
};

/**
 * A ccTalk coin acceptor (address 2, 8-bit checksum by default).
 *
 * `start()` identifies the device, reads its coin table (184) and maps every channel to a shared
 * denomination, takes a baseline of the event counter, and leaves every coin inhibited. The deposit then
 * calls `setAcceptLimit(remainingMinor)`: only channels whose coin still fits are enabled, so the acceptor
 * itself returns a coin the deposit could not take. `inhibitAll()` closes it again.
 *
 * It polls 229 every `ccTalkPollIntervalAcceptingMs` while any coin is enabled (a deposit is taking money,
 * and the wait for the next poll is most of the time from a coin to the screen) and every
 * `ccTalkPollIntervalMs` while all are inhibited, and turns the event counter into events: `credit` per
 * coin, `reject` for every coin given back (rejected, inhibited, and the fraud alarms such as a coin on a
 * string, which are logged as alarms too), `fault` only for what needs a technician (jam, flight deck open,
 * a failed gate or motor) and `faultCleared` once a self-check passes again, `lostEvents` when more than
 * the device's buffer happened between two polls or a coin went in whose value is unknown (a channel with
 * no denomination, a swallowed coin), and `reset` when the counter went back to 0, after which it re-sends
 * the inhibit masks.
 */
export class CoinAcceptor extends DriverScaffold {
  readonly kind = 'coinAcceptor' as const;
  private readonly acceptor: CcTalkAcceptor;

  constructor(options: CoinAcceptorOptions) {
    super(options.name, options.limits, options.onAlarm);
    this.acceptor = new CcTalkAcceptor(
      {
        ...options,
        address: options.address ?? ccTalkAddresses.coinAcceptor,
        checksum: options.checksum ?? 'simple',
        pollIntervalAcceptingMs: options.limits.ccTalkPollIntervalAcceptingMs,
      },
      coinAcceptorProfile,
      {
        emit: (event) => this.emit(event),
        faults: this.faults,
        alarm: (alarm, detail) => this.alarm(alarm, detail),
        handlePair: (pair) => this.handlePair(pair),
      },
    );
  }

  /** The coins this acceptor can take, by channel (1..16), as read from 184. */
  get coinTable(): ReadonlyMap<number, Denomination> {
    return this.acceptor.channels;
  }

  /** How often the acceptor is polled now (faster while coins are enabled). */
  get pollIntervalMs(): number {
    return this.acceptor.pollIntervalMs;
  }

  get echoDetected(): boolean | undefined {
    return this.acceptor.device.echoDetected;
  }

  start(): Promise<void> {
    return this.acceptor.start();
  }

  /**
   * Enables exactly the coins worth at most `remainingMinor`; 0 inhibits everything. Resolves true once
   * the acceptor acknowledged both the channel mask (231) and the master inhibit (228).
   */
  setAcceptLimit(remainingMinor: number): Promise<boolean> {
    return this.acceptor.setAcceptLimit(remainingMinor);
  }

  inhibitAll(): Promise<boolean> {
    return this.acceptor.setAcceptLimit(0);
  }

  /** Moves the driver onto a new byte pipe after the port reconnected; the counter baseline is kept. */
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
    // Leaves the acceptor refusing coins: a kiosk that stops listening must not keep swallowing money.
    await this.acceptor.close();
    this.finishClose();
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

  private handlePair(pair: BufferedEventPair): void {
    if (pair.a !== 0) {
      const denomination = this.acceptor.channels.get(pair.a);
      if (!denomination) {
        // Accepted, so it is in the cash box, but on a channel the kiosk has no denomination for: money
        // of unknown value, which holds the deposit for review rather than being booked as a reject.
        this.unknownMoney(`coin accepted on channel ${pair.a} with no denomination`);
        return;
      }
      this.emit({
        device: this.name,
        type: 'credit',
        kind: 'coin',
        ccTalkId: denomination.ccTalkId,
        currency: denomination.currency,
        valueMinor: denomination.valueMinor,
        count: 1,
      });
      return;
    }
    const error = classifyCoinError(pair.b);
    switch (error.kind) {
      case 'none':
        return;
      case 'rejected':
        // A fraud attempt (a coin on a string, too fast, a slug) is about one coin the acceptor gave back:
        // a reject like any other, logged as an alarm, and nothing stays broken.
        if (error.fraud) this.alarm('fraudAttempt', `error code ${pair.b}`);
        this.emit({ device: this.name, type: 'reject', reason: 'rejected', count: 1 });
        return;
      case 'inhibited': {
        const denomination =
          error.channel === undefined ? undefined : this.acceptor.channels.get(error.channel);
        this.emit({
          device: this.name,
          type: 'reject',
          reason: 'inhibited',
          count: 1,
          ...(denomination ? { valueMinor: denomination.valueMinor, ccTalkId: denomination.ccTalkId } : {}),
        });
        return;
      }
      case 'jam':
        this.faults.raise('jam', `error code ${pair.b}`);
        return;
      case 'flightDeckOpen':
        this.faults.raise('flightDeckOpen');
        return;
      case 'hardware':
        this.faults.raise('selfCheckFailed', `error code ${pair.b}`);
        return;
      case 'swallowed':
        this.unknownMoney(`error code ${pair.b} (coin swallowed without a credit)`);
        return;
    }
  }

  private unknownMoney(detail: string): void {
    this.alarm('unknownMoney', detail);
    this.emit({ device: this.name, type: 'lostEvents', count: 1 });
  }
}
