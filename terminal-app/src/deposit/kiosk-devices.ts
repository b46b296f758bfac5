import type { DeviceEvent, DeviceFault, PrintJob } from '@cashin/shared';

/** How a print ended. A failure names the printer's fault when the driver knows it. */
export type PrintOutcome = { ok: true } | { ok: false; fault: DeviceFault | null };

export type BillDecision = 'stack' | 'return';

/**
 * The kiosk's devices as the deposit runner sees them. The hardware drivers (ccTalk coin acceptor and bill
 * validator, bulk counter, scanner, ESC/POS printer) are adapted to this; nothing here knows a byte.
 *
 * Commands return nothing: a driver queues them on its port, and a command that fails comes back as a
 * `fault` or `disconnected` DeviceEvent, which is what the deposit engine acts on. Only printing answers,
 * because the done screen shows whether the receipt came out.
 */
export interface KioskDevices {
  /**
   * Enables the money acceptors for coins and bills worth at most `remainingMinor` each (a channel whose
   * value does not fit stays inhibited). 0 closes them, as `inhibitAll` does.
   */
  setAcceptLimit(remainingMinor: number): void;
  /** Closes every acceptor (master inhibit). Coins already inside still report. */
  inhibitAll(): void;
  /** Stacks or returns the bill the named validator holds in escrow. */
  routeBill(device: string, decision: BillDecision): void;
  print(job: PrintJob): Promise<PrintOutcome>;
  /** Every DeviceEvent of every device, in the order the drivers saw them. Returns an unsubscribe. */
  subscribe(listener: (event: DeviceEvent) => void): () => void;
}
