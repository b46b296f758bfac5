import type { Code, CurrencyCode, DeviceFault, Language, UuidV7 } from '@cashin/shared';

/** One money-relevant device event as the journal stores it. */
export type JournalEntry =
  | {
      type: 'credit';
      device: string;
      kind: 'coin' | 'bill';
      ccTalkId: string;
      currency: CurrencyCode;
      valueMinor: number;
      count: number;
    }
  | {
      type: 'reject';
      device: string;
      /** Where it came back: into the coin return cup, or out of the bill slot (see returnedKindOf). */
      kind: 'coin' | 'bill';
      reason: string;
      valueMinor: number | null;
      count: number;
    }
  | { type: 'lostEvents'; device: string; count: number }
  | { type: 'reset'; device: string }
  | { type: 'fault'; device: string; fault: DeviceFault; detail: string | null }
  | { type: 'disconnected'; device: string };

/** Money a device reported: the one kind of entry that carries an amount into a deposit or the bag. */
export type CreditEntry = Extract<JournalEntry, { type: 'credit' }>;

/**
 * A device's alarm that events may have gone unseen: more of them between two polls than its buffer holds
 * (`lostEvents`), or a reset or power loss that emptied the buffer (`reset`). Either may have been money.
 */
export type LostEventsEntry = Extract<JournalEntry, { type: 'lostEvents' | 'reset' }>;

export function isLostEventsEntry(entry: JournalEntry): entry is LostEventsEntry {
  return entry.type === 'lostEvents' || entry.type === 'reset';
}

/** What the journal records when a deposit opens: everything a commit or a reprint needs later. */
export interface OpenDepositRecord {
  depositId: UuidV7;
  startedAtMs: number;
  /** The shopper's deposit code, or null for a voucher. */
  code: Code | null;
  /** The voucher's claim code, or null for a shopper's deposit. */
  claimCode: Code | null;
  currency: CurrencyCode;
  /** The most the deposit was allowed to take when it opened (the remaining limit or the offline cap). */
  maxMinor: number;
  offline: boolean;
  language: Language;
  maskedName: string | null;
  /** The wallet balance before this deposit, when the server told us; for the receipt's new balance. */
  balanceMinor: number | null;
}
