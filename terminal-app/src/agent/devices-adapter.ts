import type { Clock, Denomination, DeviceFault } from '@cashin/shared';
import type { BillDecision, KioskDevices, PrintOutcome } from '../deposit/kiosk-devices.js';
import type { KioskDevices as OpenedDevices } from '../devices/open-devices.js';

/**
 * Joins the hardware drivers to the deposit engine. Two models meet here: a bill validator reports a bill
 * in escrow and then awaits a decision, while the engine decides by emitting `routeBill` when it sees the
 * escrow event. The bridge keeps one slot per validator, so the decision is delivered whichever of the
 * two arrives first; a decision that never comes returns the bill (the engine would never take money it
 * did not decide to take).
 */
export class EscrowBridge {
  private readonly waiting = new Map<string, (stack: boolean) => void>();
  private readonly decided = new Map<string, boolean>();

  constructor(
    private readonly clock: Clock,
    private readonly decisionTimeoutMs: number,
  ) {}

  /** The validator's question, for `openDevices({ decideEscrow })`. */
  decide = (device: string, _bill: Denomination): Promise<boolean> => {
    const early = this.decided.get(device);
    if (early !== undefined) {
      this.decided.delete(device);
      return Promise.resolve(early);
    }
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.waiting.delete(device);
        resolve(false);
      }, this.decisionTimeoutMs);
      this.waiting.set(device, (stack) => {
        this.clock.clearTimeout(timer);
        resolve(stack);
      });
    });
  };

  /** The engine's answer. */
  route(device: string, decision: BillDecision): void {
    const resolve = this.waiting.get(device);
    if (resolve) {
      this.waiting.delete(device);
      resolve(decision === 'stack');
    } else {
      this.decided.set(device, decision === 'stack');
    }
  }
}

/** Why a print failed, as a fault; null when the printer did not answer. */
export function printFault(reason: 'paperOut' | 'coverOpen' | 'noStatus'): DeviceFault | null {
  return reason === 'noStatus' ? null : reason;
}

/** The engine's view of the opened devices. Commands are fire-and-forget: failures come back as events. */
export function depositDevices(opened: OpenedDevices, escrow: EscrowBridge): KioskDevices {
  const acceptors = () => [
    ...opened.coinAcceptors().map((d) => d.driver),
    ...opened.billValidators().map((d) => d.driver),
  ];
  return {
    setAcceptLimit(remainingMinor) {
      for (const driver of acceptors()) void driver.setAcceptLimit(remainingMinor);
    },
    inhibitAll() {
      for (const driver of acceptors()) void driver.inhibitAll();
    },
    routeBill(device, decision) {
      escrow.route(device, decision);
    },
    async print(job): Promise<PrintOutcome> {
      const printer = opened.printers()[0];
      if (!printer) return { ok: false, fault: null };
      const result = await printer.driver.print(job);
      return result.ok ? { ok: true } : { ok: false, fault: printFault(result.reason) };
    },
    subscribe: (listener) => opened.subscribe(listener),
  };
}
