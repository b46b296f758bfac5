import type {
  Code,
  DepositItem,
  DeviceFault,
  ErrorCode,
  KioskDeposit,
  KioskNotice,
  Language,
  PrintJob,
  UuidV7,
} from '@cashin/shared';
import type { DepositConfig } from './deposit-config.js';
import type { TerminalRefusalCode } from './terminal-refusal.js';
import type { ReturnedPieces } from '../receipt/returned-pieces.js';

/** Who the money is for, as settled before the acceptors open. */
export interface Shopper {
  /** The shopper's deposit code, or null for a voucher. */
  code: Code | null;
  /** True for "no account": the deposit becomes a voucher with a claim code. */
  voucher: boolean;
  maskedName: string | null;
  /** Identified without the server: the offline caps apply and the receipt is signed. */
  offline: boolean;
  /** The most this deposit may take: the server's remaining limit, or the offline / voucher cap. */
  maxMinor: number;
  /** The wallet's balance before the deposit, when the server gave it. */
  balanceMinor: number | null;
}

/** A deposit whose row is open in the journal. Its figures mirror the journaled credit events. */
export interface OpenDeposit {
  depositId: UuidV7;
  claimCode: Code | null;
  startedAtMs: number;
  shopper: Shopper;
  items: DepositItem[];
  totalMinor: number;
  /**
   * What the acceptors handed back as not money (not what we returned from escrow): coins from the coin
   * acceptor, bills from the bill validator. The shopper takes them from different places.
   */
  rejectedCoinCount: number;
  rejectedBillCount: number;
  /** A bill we told a validator to stack, not yet reported as stacked: it will fill part of the room. */
  escrow: { device: string; valueMinor: number } | null;
  lostEvents: boolean;
  deviceFault: boolean;
}

export type EndReason = 'shopper' | 'idleTimeout' | 'limitReached' | 'deviceFault' | 'terminalRefused';

/** A device that is faulted (fault set) or disconnected (fault null). */
export interface DeviceTrouble {
  device: string;
  fault: DeviceFault | null;
}

/** What the outbox holds unsynced, as last reported by the runner; drives the offline caps. */
export interface OutboxView {
  unsyncedTotalMinor: number;
  oldestUnsyncedAtMs: number | null;
}

export interface ReceiptState {
  deposit: KioskDeposit;
  /** Its coins and bills handed back, as the journal holds them: a copy prints the same lines. */
  returned: ReturnedPieces;
  /** The first print of the receipt; a reprint is built again from the rest, marked as a copy. */
  job: PrintJob;
  /** The language the receipt is printed in, the shopper's when the deposit was made. */
  language: Language;
  maskedName: string | null;
  newBalanceMinor: number | null;
  status: 'printing' | 'printed' | 'failed';
  /** A print of it has come out: any print after that is a copy, and says so. */
  printedOnce: boolean;
  /** Which print request the status belongs to; a late answer to an earlier one is ignored. */
  requestId: number;
}

/** What is true whatever the phase. */
export interface Common {
  language: Language;
  online: boolean;
  outbox: OutboxView;
  troubles: readonly DeviceTrouble[];
  /** The last request id handed out (lookups and prints), so stale answers can be told apart. */
  requestSeq: number;
  lastError: ErrorCode | null;
  notice: KioskNotice | null;
  /**
   * The bulk counters that say they are counting a pour (counterState), by name. A counter cannot be
   * inhibited, so a finishing deposit drains until none is counting (see DepositConfig.counterSettleMsMax).
   */
  counting: readonly string[];
  /**
   * The server refused this terminal itself (disabled by ops, unknown, key revoked): out of service until a
   * heartbeat says it is enabled, whatever the devices do.
   */
  refusal: TerminalRefusalCode | null;
}

export type Phase =
  | { phase: 'idle' }
  | { phase: 'identifying' }
  | { phase: 'lookingUp'; requestId: number; code: Code }
  | { phase: 'confirming'; shopper: Shopper }
  | { phase: 'accepting'; deposit: OpenDeposit }
  | {
      phase: 'draining';
      deposit: OpenDeposit;
      endedBy: EndReason;
      drainStartedAtMs: number;
      /**
       * The drain window has passed: the drain timer fired since the drain began, or since a money device
       * that went away came back (so it is polled again before the deposit commits).
       */
      drainWindowPassed: boolean;
    }
  | { phase: 'committing'; deposit: OpenDeposit; endedBy: EndReason }
  | { phase: 'printing'; receipt: ReceiptState }
  | { phase: 'outOfService' }
  | { phase: 'offlineCapped'; reason: 'unsyncedTotal' | 'unsyncedAge' };

export type PhaseName = Phase['phase'];

export type DepositState = Common & Phase;

export function initialDepositState(config: DepositConfig, outbox: OutboxView = emptyOutbox): DepositState {
  return {
    phase: 'idle',
    language: config.defaultLanguage,
    online: true,
    outbox,
    troubles: [],
    requestSeq: 0,
    lastError: null,
    notice: null,
    counting: [],
    refusal: null,
  };
}

export const emptyOutbox: OutboxView = { unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null };
