import type { CurrencyCode, DeviceEvent, PrintJob } from '@cashin/shared';
import { DeviceEventSchema, PrintJobSchema, denominationOf } from '@cashin/shared';
import { eventCounterOf, withEventCounter } from '../../devices/cctalk/event-counter.js';
import { counterRegistersOf, withCounterRegisters } from '../../devices/counter/counter-registers.js';
import type { BillDecision, KioskDevices, PrintOutcome } from '../kiosk-devices.js';

/**
 * TEST STAND-IN. An in-memory kiosk device set for the deposit runner's tests, standing in for the real
 * drivers (ccTalk coin acceptor and bill validator, printer) that the hardware engineer is building now.
 * It models only what the runner relies on: acceptors that take a coin only when enabled for its value,
 * a bill validator that holds a bill in escrow until told to stack or return it, and a printer that
 * answers. Every event it emits is parsed against the shared DeviceEvent schema, as a driver's would be.
 */
export class FakeKioskDevices implements KioskDevices {
  acceptLimitMinor = 0;
  readonly printed: PrintJob[] = [];
  readonly commands: string[] = [];
  /** What the next print answers. */
  printOutcome: PrintOutcome = { ok: true };
  /**
   * Events the devices held across a crash (a reject in an acceptor's buffer), reported to the next
   * subscriber as it subscribes, as the drivers do at start from their journaled baselines.
   */
  heldAtStart: DeviceEvent[] = [];
  private readonly listeners = new Set<(event: DeviceEvent) => void>();
  private escrow: { device: string; ccTalkId: string; valueMinor: number; currency: CurrencyCode } | null =
    null;

  constructor(
    private readonly currency: CurrencyCode,
    readonly coinDevice = 'coin',
    readonly billDevice = 'bill',
  ) {}

  setAcceptLimit(remainingMinor: number): void {
    this.commands.push(`setAcceptLimit ${remainingMinor}`);
    this.acceptLimitMinor = remainingMinor;
  }

  inhibitAll(): void {
    this.commands.push('inhibitAll');
    this.acceptLimitMinor = 0;
  }

  routeBill(device: string, decision: BillDecision): void {
    this.commands.push(`routeBill ${device} ${decision}`);
    const bill = this.escrow;
    if (bill === null || bill.device !== device) return;
    this.escrow = null;
    if (decision === 'stack') {
      this.emit({
        type: 'credit',
        device,
        kind: 'bill',
        ccTalkId: bill.ccTalkId,
        currency: bill.currency,
        valueMinor: bill.valueMinor,
        count: 1,
      });
    } else {
      this.emit({
        type: 'reject',
        device,
        reason: 'returnedFromEscrow',
        valueMinor: bill.valueMinor,
        count: 1,
      });
    }
  }

  print(job: PrintJob): Promise<PrintOutcome> {
    PrintJobSchema.parse(job);
    this.printed.push(job);
    return Promise.resolve(this.printOutcome);
  }

  subscribe(listener: (event: DeviceEvent) => void): () => void {
    this.listeners.add(listener);
    for (const event of this.heldAtStart.splice(0)) listener(DeviceEventSchema.parse(event));
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /**
   * Emits any event as a driver would: parsed against the schema, keeping the baseline a driver stamps on
   * it (an acceptor's event counter, a bulk counter's registers), which is not part of the schema.
   */
  emit(event: DeviceEvent): void {
    let parsed = withEventCounter(DeviceEventSchema.parse(event), eventCounterOf(event));
    const registers = counterRegistersOf(event);
    if (registers !== undefined) parsed = withCounterRegisters(parsed, registers);
    for (const listener of [...this.listeners]) listener(parsed);
  }

  /**
   * A shopper drops a coin: accepted (a credit) when the acceptor is open for its value, else returned (a
   * reject, "inhibited"). Returns whether it was accepted.
   */
  insertCoin(valueMinor: number): boolean {
    const coin = denominationOf(this.currency, 'coin', valueMinor);
    if (coin === undefined) throw new Error(`no ${this.currency} coin of ${valueMinor}`);
    if (valueMinor > this.acceptLimitMinor) {
      this.emit({ type: 'reject', device: this.coinDevice, reason: 'inhibited', valueMinor, count: 1 });
      return false;
    }
    this.emit(this.coinCredit(valueMinor));
    return true;
  }

  /** A coin already past the validator when the acceptor closed: it is credited whatever the limit. */
  coinInFlight(valueMinor: number): void {
    this.emit(this.coinCredit(valueMinor));
  }

  coinCredit(valueMinor: number): DeviceEvent {
    const coin = denominationOf(this.currency, 'coin', valueMinor);
    if (coin === undefined) throw new Error(`no ${this.currency} coin of ${valueMinor}`);
    return {
      type: 'credit',
      device: this.coinDevice,
      kind: 'coin',
      ccTalkId: coin.ccTalkId,
      currency: this.currency,
      valueMinor,
      count: 1,
    };
  }

  /** A shopper feeds a bill: refused at the slot when inhibited, else held in escrow for the host. */
  insertBill(valueMinor: number): boolean {
    const bill = denominationOf(this.currency, 'bill', valueMinor);
    if (bill === undefined) throw new Error(`no ${this.currency} bill of ${valueMinor}`);
    if (this.acceptLimitMinor === 0) {
      this.emit({ type: 'reject', device: this.billDevice, reason: 'inhibited', valueMinor, count: 1 });
      return false;
    }
    this.escrow = { device: this.billDevice, ccTalkId: bill.ccTalkId, valueMinor, currency: this.currency };
    this.emit({
      type: 'escrow',
      device: this.billDevice,
      ccTalkId: bill.ccTalkId,
      currency: this.currency,
      valueMinor,
    });
    return true;
  }
}
