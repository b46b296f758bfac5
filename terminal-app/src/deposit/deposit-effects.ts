import type { Code, PrintJob, UuidV7 } from '@cashin/shared';
import type {
  CreditEntry,
  JournalEntry,
  LostEventsEntry,
  OpenDepositRecord,
} from '../journal/journal-entry.js';
import type { BillDecision } from './kiosk-devices.js';

/**
 * The machine's timers, one per waiting phase: `idle` while the shopper should act (identify, confirm,
 * insert money), `lookup` while the server is asked, `drain` while in-flight money is counted after the
 * acceptors close, `receipt` while the done screen shows.
 */
export type TimerName = 'idle' | 'lookup' | 'drain' | 'receipt';

/**
 * What the machine asks the runner to do, as data, in order. The runner executes them all before it shows
 * the new state, so anything journaled is on disk before the screen changes.
 */
export type DepositEffect =
  | { type: 'openDeposit'; record: OpenDepositRecord }
  /** Append a device event to the open deposit, or as a stray when depositId is null. */
  | { type: 'journal'; depositId: UuidV7 | null; entry: JournalEntry; atMs: number }
  /**
   * Money in the terminal's currency with no deposit open: journal it as a deposit of its own, committed at
   * once and bound for suspense (the runner supplies its ids; see Journal.commitStray).
   */
  | { type: 'commitStray'; entry: CreditEntry; atMs: number }
  /**
   * Lost events or a reset with no deposit open: journal it as an alarm deposit of its own (no money,
   * flagged lostEvents), committed at once so it syncs and reaches ops (see Journal.commitAlarm).
   */
  | { type: 'commitAlarm'; entry: LostEventsEntry; atMs: number }
  | { type: 'abandonDeposit'; depositId: UuidV7; atMs: number }
  /** Commit and queue for sync in one transaction; the runner answers with a `committed` event. */
  | { type: 'commitDeposit'; depositId: UuidV7; committedAtMs: number; expectedTotalMinor: number }
  | { type: 'enableAcceptors'; remainingMinor: number }
  | { type: 'inhibitAcceptors' }
  | { type: 'routeBill'; device: string; decision: BillDecision }
  | { type: 'lookup'; requestId: number; code: Code }
  /** Prints a committed deposit's receipt; the runner journals it as printed when the printer says so. */
  | { type: 'print'; requestId: number; job: PrintJob; depositId: UuidV7 }
  /** Starts (or restarts) the named timer; it arrives later as a `timer` event. */
  | { type: 'startTimer'; name: TimerName; delayMs: number }
  | { type: 'cancelTimer'; name: TimerName };
