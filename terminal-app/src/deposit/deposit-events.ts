import type { Code, DeviceEvent, KioskDeposit, KioskIntent, UuidV7 } from '@cashin/shared';
import type { LookupResult } from './shopper-lookup.js';
import type { PrintOutcome } from './kiosk-devices.js';
import type { TimerName } from './deposit-effects.js';
import type { TerminalRefusalCode } from './terminal-refusal.js';
import type { ReceiptState } from './deposit-state.js';
import type { ReturnedPieces } from '../receipt/returned-pieces.js';

/**
 * Fresh identifiers the runner draws (UUIDv7 from the clock, claim code from the CSPRNG) and hands to the
 * machine with each intent, so the machine stays pure and a simulation replays from its seed.
 */
export interface FreshIds {
  depositId: UuidV7;
  claimCode: Code;
}

/** Everything that can happen to the deposit engine. `atMs` is the runner's clock when it happened. */
export type DepositEvent = { atMs: number } &
  /**
   * `fresh`: ids for a deposit the event may open (coins poured into a bulk counter with no deposit open
   * become a voucher deposit); the runner hands them with a counter's credits.
   */
  (
    | { type: 'device'; event: DeviceEvent; fresh?: FreshIds | null }
    | { type: 'intent'; intent: KioskIntent; fresh: FreshIds | null }
    | { type: 'timer'; name: TimerName }
    | { type: 'lookupResult'; requestId: number; result: LookupResult }
    /**
     * The journal committed the deposit the machine asked it to (same transaction as the outbox row), and
     * what the journal holds of its returns, coins and bills apart, for the receipt.
     */
    | { type: 'committed'; deposit: KioskDeposit; returned: ReturnedPieces }
    | { type: 'printResult'; requestId: number; outcome: PrintOutcome }
    | { type: 'connectivity'; online: boolean }
    | { type: 'outboxStatus'; unsyncedTotalMinor: number; oldestUnsyncedAtMs: number | null }
    /** The server refused this terminal (a sync, a lookup or a heartbeat said so): out of service. */
    | { type: 'terminalRefused'; code: TerminalRefusalCode }
    /** A heartbeat's answer said the terminal is enabled: a refusal no longer stands. */
    | { type: 'terminalEnabled' }
    /**
     * A committed voucher or offline deposit whose receipt never printed (recovered after a power loss, or
     * the printer failed): print it, or show it on the done screen when it cannot print.
     */
    | { type: 'receiptDue'; receipt: DueReceipt }
  );

/** What the done screen and the printer need of a committed deposit's receipt. */
export type DueReceipt = Pick<
  ReceiptState,
  'deposit' | 'returned' | 'job' | 'language' | 'maskedName' | 'newBalanceMinor'
>;
