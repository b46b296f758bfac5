import { z } from 'zod';
import { CurrencyCodeSchema } from '../money/currency.js';
import { AmountMinorSchema, PositiveAmountMinorSchema } from '../money/money.js';
import { ErrorCodeSchema } from '../errors/catalogue.js';
import { UuidV7Schema } from '../ids/uuidv7.js';
import { DeviceFaultSchema } from './devices.js';
import { LanguageSchema } from './common.js';

/**
 * What the terminal agent tells the kiosk UI (a state snapshot, whole, after every change) and what the UI
 * may ask of the agent (an intent). The UI holds no deposit state of its own: it renders the latest
 * snapshot, so a reloaded window shows exactly what the agent knows and can never show a coin the journal
 * does not hold.
 */
export const kioskScreens = [
  'attract', // idle: waiting for a shopper
  'identify', // scan a code, key it in, or choose "no account"
  'lookingUp', // the code is being checked with the server
  'confirm', // the shopper confirms the masked name and what they may still deposit
  'insertMoney', // acceptors open: live total, itemised list, rejects
  'finishing', // acceptors closed, counting what is still in flight, then committing
  'done', // committed: amount, new balance or pending, receipt printing
  'outOfService', // a device failed, or the server refused this terminal; the reason says which
  'offlineCapped', // offline and holding as much unsynced money as allowed: no money is taken
] as const;
export const KioskScreenSchema = z.enum(kioskScreens);
export type KioskScreen = z.infer<typeof KioskScreenSchema>;

/** Short-lived facts the UI may show beside the screen ("that scan was ignored: a deposit is open"). */
export const KioskNoticeSchema = z.enum([
  'scanIgnored', // a code was scanned while a deposit was open; the shopper stays the same
  'slipAtTill', // a payment slip was scanned or keyed: slips are paid at a store's till, for their amount
  'claimInWallet', // a voucher's claim code was scanned: it is added in the wallet app, not here
  'limitReached', // the deposit took all it may; acceptors are closed
  // A bill the kiosk handed back out of escrow; nothing was taken. Each reason has its own notice, since the
  // shopper does something different about each (another bill, the other currency, wait, or keep it).
  'billOverLimit', // it did not fit in what the deposit may still take
  'billOtherCurrency', // it is in another currency than the deposit's
  'billEscrowBusy', // another bill was still held in escrow, being stacked
  'billAfterFinish', // it came after Finish: the deposit is closing
  'billNotStacked', // the validator handed back a bill we asked it to stack (it could not take it)
  'coinRejected', // a coin or bill was not recognised and was given back
  'idleTimeout', // the shopper went quiet; money counted so far is committed, never dropped
  'pouredAsVoucher', // coins were poured before a deposit was open: they go on a voucher for whoever poured them
]);
export type KioskNotice = z.infer<typeof KioskNoticeSchema>;

export const KioskItemSchema = z.object({
  kind: z.enum(['coin', 'bill']),
  valueMinor: PositiveAmountMinorSchema,
  count: z.number().int().positive(),
});
export type KioskItem = z.infer<typeof KioskItemSchema>;

export const KioskOutOfServiceSchema = z.object({
  /**
   * The device that failed, by its configured name; null when no device failed but the server refused this
   * terminal (disabled by ops, unknown, its key revoked), which `errorCode` names.
   */
  device: z.string().min(1).max(32).nullable(),
  /** The fault it reported, or null when it disconnected. */
  fault: DeviceFaultSchema.nullable(),
  errorCode: ErrorCodeSchema,
});
export type KioskOutOfService = z.infer<typeof KioskOutOfServiceSchema>;

export const KioskOfflineCapSchema = z.object({
  reason: z.enum(['unsyncedTotal', 'unsyncedAge']),
  errorCode: ErrorCodeSchema,
});
export type KioskOfflineCap = z.infer<typeof KioskOfflineCapSchema>;

export const KioskReceiptSchema = z.object({
  depositId: UuidV7Schema,
  sequence: z.number().int().positive(),
  status: z.enum(['printing', 'printed', 'failed']),
  totalMinor: AmountMinorSchema,
  /** The balance after this deposit when the server told us the balance before it; null when unknown. */
  newBalanceMinor: AmountMinorSchema.nullable(),
  /** True when the credit waits for sync (the kiosk was offline or the deposit is a voucher). */
  pending: z.boolean(),
  /**
   * The voucher's claim code, formatted in groups. Shown on the done screen because if the printer failed
   * the screen is the shopper's only copy of a bearer code they already paid for.
   */
  claimCode: z.string().max(32).nullable(),
});
export type KioskReceipt = z.infer<typeof KioskReceiptSchema>;

export const KioskSnapshotSchema = z.object({
  /** Increases by one with every snapshot the agent emits; the UI drops anything older than it has. */
  version: z.number().int().nonnegative(),
  screen: KioskScreenSchema,
  language: LanguageSchema,
  currency: CurrencyCodeSchema,
  /** Whether the agent believes it can reach the server. */
  online: z.boolean(),
  shopper: z
    .object({
      /** "J*** D***" from the server; null offline or for a voucher. */
      maskedName: z.string().max(64).nullable(),
      voucher: z.boolean(),
      offline: z.boolean(),
    })
    .nullable(),
  /** What the deposit may still take; null before a shopper is confirmed. */
  remainingMinor: AmountMinorSchema.nullable(),
  totalMinor: AmountMinorSchema,
  items: z.array(KioskItemSchema).max(64),
  /**
   * What the acceptors handed back as not money while the deposit is open, counted apart because the
   * shopper takes them from different places: coins from the coin return cup, bills out of the bill slot.
   * (A bill the kiosk itself hands back out of escrow, for whatever reason, is a notice, not a reject.) The
   * done screen shows the receipt's figures, which count returns together: both are 0 there.
   */
  rejectedCoinCount: z.number().int().nonnegative(),
  rejectedBillCount: z.number().int().nonnegative(),
  /**
   * A bulk counter is still counting the coins poured in: Finish shows "still counting" and waits, since
   * the deposit would only drain until the counter stops anyway.
   */
  counting: z.boolean(),
  lastError: ErrorCodeSchema.nullable(),
  notice: KioskNoticeSchema.nullable(),
  outOfService: KioskOutOfServiceSchema.nullable(),
  offlineCap: KioskOfflineCapSchema.nullable(),
  receipt: KioskReceiptSchema.nullable(),
});
export type KioskSnapshot = z.infer<typeof KioskSnapshotSchema>;

/** What the UI may ask. The agent's deposit engine decides whether the intent means anything right now. */
export const KioskIntentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start') }),
  z.object({ type: z.literal('chooseLanguage'), language: LanguageSchema }),
  /** The digits the shopper keyed; the agent checks them locally (format, check digit) before any lookup. */
  z.object({ type: z.literal('keyedCode'), text: z.string().max(40) }),
  z.object({ type: z.literal('noAccount') }),
  z.object({ type: z.literal('confirm') }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('finish') }),
  z.object({ type: z.literal('reprint') }),
  /** Leave the done screen (or dismiss an error) now rather than at its time-out. */
  z.object({ type: z.literal('dismiss') }),
]);
export type KioskIntent = z.infer<typeof KioskIntentSchema>;
