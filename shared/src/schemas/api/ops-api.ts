import { z } from 'zod';
import { CurrencyCodeSchema } from '../../money/currency.js';
import { AmountMinorSchema, PositiveAmountMinorSchema } from '../../money/money.js';
import { UuidV7Schema, uuidV7Pattern } from '../../ids/uuidv7.js';
import { DeviceFaultSchema, DeviceStatusSchema } from '../devices.js';
import { ErrorCodeSchema } from '../../errors/catalogue.js';
import { Ed25519PublicKeySchema, serverKeysMax } from './terminal-api.js';
import { PhoneE164Schema, textSchema } from '../common.js';
import { WalletResponseSchema, reasonLengthMax } from './server-api.js';
import { StoreSchema, clerkPinPattern } from './till-api.js';

/**
 * Wire schemas of the ops API (issue 4): stores and clerks, terminals and their enrollment, the fleet's
 * health and alerts, cash collections and reconciliation, settlement reports, and the suspense queue.
 */
export const storeAddressLengthMax = 160;

export const CreateStoreRequestSchema = z.object({
  name: textSchema(80),
  currency: CurrencyCodeSchema,
  /** An IANA time zone ("America/Mexico_City"); settlement days are cut in it. */
  timeZone: z.string().refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'expected an IANA time zone'),
  address: textSchema(storeAddressLengthMax).optional(),
});

export const CreateClerkRequestSchema = z.object({
  name: textSchema(80),
  pin: z.string().regex(clerkPinPattern),
});

export const ClerkSchema = z.object({
  id: z.string(),
  storeId: z.string(),
  name: z.string(),
  lockedUntilMs: z.number().int().nullable(),
  /** Set while ops have the clerk disabled: no session, no sign-in. */
  disabledAtMs: z.number().int().nullable(),
});
export type Clerk = z.infer<typeof ClerkSchema>;

/** Disabling a clerk ends every session of theirs at once; enabling lets them sign in again. */
export const SetClerkEnabledRequestSchema = z.object({ enabled: z.boolean() });

/** A new PIN for a clerk who forgot theirs (or whose PIN got out): ends their sessions and any lockout. */
export const ResetClerkPinRequestSchema = z.object({ pin: z.string().regex(clerkPinPattern) });

/** A staff username: what a person types at the ops console's sign-in ("maria.g"). */
export const staffUsernamePattern = /^[a-z0-9][a-z0-9._-]{2,39}$/;
export const staffPasswordLengthMin = 12;
export const staffPasswordLengthMax = 200;

const StaffPasswordSchema = z
  .string()
  .min(staffPasswordLengthMin, `expected a password of at least ${staffPasswordLengthMin} characters`)
  .max(staffPasswordLengthMax);

export const StaffSignInRequestSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(staffPasswordLengthMax),
});

export const CreateStaffRequestSchema = z.object({
  username: z
    .string()
    .regex(staffUsernamePattern, 'expected 3 to 40 lowercase letters, digits, ".", "_" or "-"'),
  name: textSchema(80),
  password: StaffPasswordSchema,
});

export const SetStaffEnabledRequestSchema = z.object({ enabled: z.boolean() });

/** Who acted when the service token (OPS_TOKEN) did: in logs, audit entries, `createdBy` and `resolvedBy`. */
export const serviceTokenActor = 'ops-token';

/** A person in operations. `createdBy` is the staff id that created it, or "ops-token" for the service token. */
export const StaffSchema = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  lockedUntilMs: z.number().int().nullable(),
  disabledAtMs: z.number().int().nullable(),
  createdBy: z.string(),
  createdAtMs: z.number().int(),
});

export const StaffSessionSchema = z.object({
  token: z.string(),
  expiresAtMs: z.number().int(),
  staff: z.object({ id: z.string(), username: z.string(), name: z.string() }),
});

export const CreateTerminalRequestSchema = z.object({
  storeId: z.string().min(1).max(64),
  name: textSchema(80),
});

/** The one-time token a tech types or scans into a new kiosk; shown once, as text and as a QR code. */
export const EnrollmentTokenSchema = z.object({
  terminalId: z.string(),
  token: z.string(),
  expiresAtMs: z.number().int(),
  qrSvg: z.string(),
});

/**
 * What became of the device whose key a rotation replaces, which ops must say:
 * - `replaced`: it was swapped out and may come back up. Its key works until the new device enrolls, then
 *   may still sign sync batches (and nothing else) for the kiosk offline window, so the deposits it took
 *   reach the server; each is held for review (`retiredKey`).
 * - `lost`: it was lost or stolen. Its key is revoked at once, before any new device enrolls: every request
 *   it signs is refused with TERMINAL_KEY_REVOKED, sync batches included, and its receipts redeem nothing.
 */
export const oldDeviceFates = ['replaced', 'lost'] as const;
export type OldDeviceFate = (typeof oldDeviceFates)[number];

export const KeyRotationRequestSchema = z.object({
  oldDevice: z
    .enum(oldDeviceFates)
    .describe(
      'replaced: the old key works until the new device enrolls, then signs sync batches only, for the kiosk offline window, each deposit held for review; lost: the old key is revoked at once and refused for every request',
    ),
});
export type KeyRotationRequest = z.infer<typeof KeyRotationRequestSchema>;

/** How the audit log and the ops console name a terminal key: a hash of it, enough to tell keys apart. */
export const KeyFingerprintSchema = z.string().regex(/^[0-9a-f]{16}$/, 'expected a key fingerprint');

/** A rotation's answer: the new device's one-time token, and what became of the old key. */
export const KeyRotationSchema = EnrollmentTokenSchema.extend({
  oldDevice: z.enum(oldDeviceFates),
  /** The key a `lost` rotation revoked; null for `replaced`, or when the terminal had no key to revoke. */
  revokedKeyFingerprint: KeyFingerprintSchema.nullable(),
});
export type KeyRotation = z.infer<typeof KeyRotationSchema>;

/**
 * A terminal key as ops see it, derived when asked: `current` signs everything; `handingOver` was retired
 * by a newer enrollment and may still sign sync batches until `handOverUntilMs`; `retired` signs nothing
 * (its receipts too are past redeeming); `revoked` was revoked by ops as lost or stolen and is refused for
 * every request.
 */
export const terminalKeyStatuses = ['current', 'handingOver', 'retired', 'revoked'] as const;

export const TerminalKeySchema = z.object({
  fingerprint: KeyFingerprintSchema,
  status: z.enum(terminalKeyStatuses),
  enrolledAtMs: z.number().int(),
  retiredAtMs: z.number().int().nullable(),
  /** Until when a `handingOver` key may sign sync batches; null for every other status. */
  handOverUntilMs: z.number().int().nullable(),
  revokedAtMs: z.number().int().nullable(),
  /** Who revoked it: a staff id, or `ops-token` for the service token. */
  revokedBy: z.string().nullable(),
});
export type OpsTerminalKey = z.infer<typeof TerminalKeySchema>;

export const TerminalKeyListSchema = z.object({
  terminalId: z.string(),
  /** Newest first. */
  keys: z.array(TerminalKeySchema),
  /** A rotation's token not yet used: a new device may enroll until then. Null when none is open. */
  enrollmentOpenUntilMs: z.number().int().nullable(),
});
export type TerminalKeyList = z.infer<typeof TerminalKeyListSchema>;

/**
 * Ops revoke one key of a terminal at once: its device turned out lost or stolen after a `replaced`
 * rotation (a key handing over, or still current because the new device has not enrolled). A pending
 * rotation's token stays good, so the new device can still enroll. Revoking a revoked key changes nothing.
 */
export const KeyRevocationRequestSchema = z.object({ keyFingerprint: KeyFingerprintSchema });

export const terminalStatuses = ['notEnrolled', 'online', 'offline', 'stuck', 'faulted', 'disabled'] as const;

export const TerminalSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  storeId: z.string(),
  /**
   * Derived, never stored: offline when silent past the alert threshold; stuck when it beats but its queue
   * has not moved; faulted when a device reports a fault.
   */
  status: z.enum(terminalStatuses),
  lastHeartbeatAtMs: z.number().int().nullable(),
  softwareVersion: z.string().nullable(),
  devices: z.array(DeviceStatusSchema),
  queueDepth: z.number().int().nonnegative(),
  unsyncedTotalMinor: AmountMinorSchema,
  bagTotalMinor: AmountMinorSchema,
  /** How full the cash bag is, 0 to 1, by coin count against the bag's capacity. */
  bagFill: z.number().min(0).max(1),
  lastSequence: z.number().int().nonnegative(),
  /**
   * Deposits the kiosk holds set aside (not sent again unless a tech or ops ask): their cash is in the bag and in
   * no ledger entry.
   */
  setAsideDeposits: z.number().int().nonnegative(),
  /** What they come to; null when the kiosk's software does not say. */
  setAsideTotalMinor: AmountMinorSchema.nullable(),
  /**
   * Ops asked the kiosk to send its set-aside deposits again and it has not reported yet (it hears of the
   * request in its next heartbeat's answer); null when nothing is asked.
   */
  setAsideRetryPending: z
    .object({
      /** What the console names to cancel it (a kiosk whose software cannot do it never reports). */
      requestId: z.string().regex(uuidV7Pattern),
      requestedAtMs: z.number().int(),
      requestedBy: z.string(),
    })
    .nullable(),
  /** What came of the last such request the kiosk reported; null before the first. */
  lastSetAsideRetry: z
    .object({
      requestedAtMs: z.number().int(),
      requestedBy: z.string(),
      /** When the server heard the kiosk's report. */
      reportedAtMs: z.number().int(),
      requeued: z.number().int().nonnegative(),
      synced: z.number().int().nonnegative(),
      setAsideAgain: z.number().int().nonnegative(),
      errorCode: ErrorCodeSchema.nullable(),
    })
    .nullable(),
  /** The server keys the kiosk said it believes in its last heartbeat; null when its software does not say. */
  serverKeys: z.array(Ed25519PublicKeySchema).max(serverKeysMax).nullable(),
});
export type TerminalSummary = z.infer<typeof TerminalSummarySchema>;

export const alertKinds = [
  'terminalSilent',
  'sequenceGap',
  'lostCoinEvents',
  'bagNearlyFull',
  'deviceFault',
  'syncConflict',
  'keyRevoked',
  'depositsSetAside',
] as const;

/** The most revoked keys one keyRevoked alert names (a terminal's devices lost while it stays open). */
export const alertKeysKeptMax = 20;

/** The most deposit sequence numbers one alert keeps; past it the list is cut and says so. */
export const alertSequencesKeptMax = 1_000;

const alertSequenceFields = {
  /** Distinct, ascending: every deposit the alert is about since it was raised, up to the maximum. */
  sequences: z.array(z.number().int().positive()).max(alertSequencesKeptMax),
  /** More deposits were named than `sequences` keeps. */
  truncated: z.boolean(),
};

/**
 * What an alert is about, as data, so each console says it in its own language. `detail` carries the same
 * facts as an English sentence for logs and API users.
 */
export const AlertFactsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('terminalSilent'), silentMinutes: z.number().int().nonnegative() }),
  z.object({
    kind: z.literal('sequenceGap'),
    missing: z.number().int().positive(),
    below: z.number().int().positive(),
  }),
  z.object({ kind: z.literal('lostCoinEvents'), ...alertSequenceFields }),
  z.object({ kind: z.literal('syncConflict'), ...alertSequenceFields }),
  z.object({
    kind: z.literal('bagNearlyFull'),
    coins: z.number().int().nonnegative(),
    coinsMax: z.number().int().positive(),
  }),
  z.object({
    kind: z.literal('deviceFault'),
    devices: z.array(z.object({ device: z.string(), faults: z.array(DeviceFaultSchema) })),
  }),
  z.object({
    // Ops revoked a key as its device was lost or stolen. Open until a person closes it (what was done
    // about the device); a request the lost device signs later counts here, or raises it again if closed.
    kind: z.literal('keyRevoked'),
    keyFingerprints: z.array(KeyFingerprintSchema).min(1).max(alertKeysKeptMax),
    /** Requests signed with one of these keys and refused since the alert was raised. */
    refusedRequests: z.number().int().nonnegative(),
    lastRefusedAtMs: z.number().int().nullable(),
  }),
  z.object({
    // A terminal holds deposits it set aside (a conflict with the server, a refusal of that one deposit, or a
    // journal row it cannot read), sent again only when a tech or ops ask: their cash is in its bag and no
    // wallet has it. Raised when a heartbeat reports more of them than the one before, kept up to date while
    // open, closed when none are left.
    kind: z.literal('depositsSetAside'),
    deposits: z.number().int().positive(),
    /** What they hold, in the terminal's currency; null when the terminal's software does not say. */
    totalMinor: AmountMinorSchema.nullable(),
    currency: CurrencyCodeSchema,
  }),
]);
export type AlertFacts = z.infer<typeof AlertFactsSchema>;

export const AlertSchema = z.object({
  id: z.string(),
  kind: z.enum(alertKinds),
  terminalId: z.string().nullable(),
  storeId: z.string().nullable(),
  raisedAtMs: z.number().int(),
  resolvedAtMs: z.number().int().nullable(),
  detail: z.string(),
  /** Null for an alert raised before its facts were kept. */
  facts: AlertFactsSchema.nullable(),
  /**
   * Who closed it by hand (a staff id, or `ops-token` for the service token) and what they found; both null
   * when it is open or its condition closed it.
   */
  resolvedBy: z.string().nullable(),
  resolutionNote: z.string().nullable(),
});
export type Alert = z.infer<typeof AlertSchema>;
export type Staff = z.infer<typeof StaffSchema>;

export const CollectionRequestSchema = z.object({
  /** Chosen by the tech's device and stored before it is sent, like every money id. */
  collectionId: UuidV7Schema,
  terminalId: z.string().min(1).max(64),
  countedMinor: AmountMinorSchema,
  currency: CurrencyCodeSchema,
  bagLabel: textSchema(40).optional(),
});

export const CollectionSchema = z.object({
  collectionId: UuidV7Schema,
  terminalId: z.string(),
  currency: CurrencyCodeSchema,
  /**
   * What should have been in the bag: every deposit credited from it since the last collection, plus
   * `awaitingSyncMinor`. Below zero only when an earlier collection counted on deposits that never came.
   */
  expectedMinor: z.number().int(),
  countedMinor: AmountMinorSchema,
  /** counted - expected: positive is over, negative is short; booked to the over/short account. */
  overShortMinor: z.number().int(),
  /**
   * The part of expected that the kiosk reported as taken but had not synced: cash in the bag whose
   * deposits the server had not received, expected rather than booked as over; their sync settles it.
   */
  awaitingSyncMinor: AmountMinorSchema,
  /** The unsynced total the kiosk last reported before the collection; null if it never reported one. */
  unsyncedReportedMinor: AmountMinorSchema.nullable(),
  /** When the server received that report (its last heartbeat); null if it never reported one. */
  unsyncedReportedAtMs: z.number().int().nullable(),
  collectedAtMs: z.number().int(),
  /** Who recorded the count: a staff id, or ops-token; null for collections from before it was kept. */
  collectedBy: z.string().nullable(),
  /** The label on the bag, as the tech typed it, if any. */
  bagLabel: z.string().nullable(),
  /** The bank deposit its cash reached the bank in; null while the cash is in transit. */
  bankDepositId: z.string().nullable(),
});

/** The most collections one bank deposit may carry (an armoured carrier's run, or a week of one store's). */
export const bankDepositCollectionsMax = 100;

/**
 * Ops records what the bank credited for collected bags (the carrier's deposit slip, the bank statement):
 * their cash moves from cash in transit to the bank, and credited - counted goes to over/short.
 */
export const BankDepositRequestSchema = z.object({
  /** Chosen by the console and kept before it is sent: the id of the ledger transfer, so a retry is one. */
  bankDepositId: UuidV7Schema,
  collectionIds: z
    .array(UuidV7Schema)
    .min(1)
    .max(bankDepositCollectionsMax)
    .refine((ids) => new Set(ids).size === ids.length, 'each collection once'),
  creditedMinor: AmountMinorSchema,
  currency: CurrencyCodeSchema,
  /** The bank's reference for the credit, as on the statement. */
  bankReference: textSchema(80),
});

export const BankDepositSchema = z.object({
  bankDepositId: UuidV7Schema,
  currency: CurrencyCodeSchema,
  collectionIds: z.array(z.string()),
  /** What the collections' bags were counted at: what should have reached the bank. */
  countedMinor: AmountMinorSchema,
  creditedMinor: AmountMinorSchema,
  /** credited - counted: positive is over, negative is short; booked to the over/short account. */
  differenceMinor: z.number().int(),
  bankReference: z.string(),
  recordedBy: z.string(),
  recordedAtMs: z.number().int(),
});
export type BankDeposit = z.infer<typeof BankDepositSchema>;

export const CollectionQuerySchema = z.object({
  /**
   * Only collections whose cash has not reached the bank yet, oldest first (those waiting longest lead);
   * by default every collection, newest first.
   */
  inTransit: z.enum(['true', 'false']).optional(),
});

/**
 * Where the network's money is now, per currency, from the ledger: the cash it holds (in kiosk bags, in
 * store drawers, in transit, at the bank) against what it owes (shoppers' wallets, suspense) and what it
 * made or lost (fees, over/short). Cash held = owed + fees + over/short, or the ledger is broken.
 */
export const CashPositionCurrencySchema = z.object({
  currency: CurrencyCodeSchema,
  kioskBagsMinor: z.number().int(),
  storeDrawersMinor: z.number().int(),
  cashInTransitMinor: z.number().int(),
  bankMinor: z.number().int(),
  /** The four above: all the cash the network holds or is owed by its carriers and bank. */
  cashMinor: z.number().int(),
  walletsMinor: z.number().int(),
  suspenseMinor: z.number().int(),
  feeIncomeMinor: z.number().int(),
  /** Net of every count and bank credit against the ledger: positive over, negative short. */
  overShortMinor: z.number().int(),
  /** cash = wallets + suspense + fee income + over/short, summed from each side's own transfers. */
  balanced: z.boolean(),
});
export const CashPositionSchema = z.object({
  asOfMs: z.number().int(),
  currencies: z.array(CashPositionCurrencySchema),
});
export type CashPosition = z.infer<typeof CashPositionSchema>;

/**
 * A store pays the network what its clerks took at the till (the settlement reports say what, per day):
 * ops records the payment as the bank shows it, and it moves from the store's drawer account to the bank.
 */
export const StoreRemittanceRequestSchema = z.object({
  /** Chosen by the console and kept before it is sent: the id of the ledger transfer, so a retry is one. */
  remittanceId: UuidV7Schema,
  amountMinor: PositiveAmountMinorSchema,
  currency: CurrencyCodeSchema,
  /** The payment's reference, as on the bank statement. */
  reference: textSchema(80),
});

export const StoreRemittanceSchema = z.object({
  remittanceId: z.string(),
  storeId: z.string(),
  currency: CurrencyCodeSchema,
  amountMinor: PositiveAmountMinorSchema,
  /** What the store owed (till deposits less voids, less earlier payments) before and after this one. */
  owedBeforeMinor: z.number().int(),
  owedAfterMinor: z.number().int(),
  reference: z.string(),
  recordedBy: z.string(),
  recordedAtMs: z.number().int(),
});
export type StoreRemittance = z.infer<typeof StoreRemittanceSchema>;

/** What a store owes now, and its payments, newest first. */
export const StoreRemittanceListSchema = z.object({
  storeId: z.string(),
  currency: CurrencyCodeSchema,
  owedMinor: z.number().int(),
  remittances: z.array(StoreRemittanceSchema),
});

export const SettlementQuerySchema = z.object({
  storeId: z.string().min(1).max(64),
  /** The store's local business day, YYYY-MM-DD; by default the day it is now at the store. */
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});

export const SettlementSchema = z.object({
  storeId: z.string(),
  storeName: z.string(),
  date: z.string(),
  timeZone: z.string(),
  currency: CurrencyCodeSchema,
  tillDeposits: z.object({ count: z.number().int().nonnegative(), totalMinor: AmountMinorSchema }),
  /** Voids made this day, whatever day the deposits they undo were made. */
  tillVoids: z.object({ count: z.number().int().nonnegative(), totalMinor: AmountMinorSchema }),
  kioskDeposits: z.object({ count: z.number().int().nonnegative(), totalMinor: AmountMinorSchema }),
  /**
   * What the store owes the network for the day: till cash taken less voids (kiosk cash is collected). A
   * void counts on the day it was made, whatever day its deposit was, so a day whose voids exceed its
   * deposits (a deposit at 23:55 voided at 00:05) owes less than nothing: it is signed.
   */
  owedMinor: z
    .number()
    .int()
    .describe('Till deposits less till voids of the day; below zero when its voids exceed its deposits'),
});

/** The newest ops assignments of one claim the suspense queue lists, with their undos. */
export const suspenseAssignmentsListedMax = 10;

/**
 * An operator credited a claim to a shopper (POST .../assignment), and, when it went to the wrong one, an
 * operator took it back (POST .../assignment-undo): the claim was held again.
 */
export const SuspenseAssignmentSchema = z.object({
  /** The transfer into the shopper's wallet. */
  assignmentId: z.string(),
  shopperId: z.string(),
  /** "Maria G.", as a till sees it. */
  shopperName: z.string(),
  /** "+1555***4567": enough to tell shoppers apart, not to call one. */
  shopperPhoneMasked: z.string(),
  /** How the shopper proved it was theirs, as the operator wrote it. */
  reason: z.string(),
  by: z.string(),
  assignedAtMs: z.number().int(),
  undo: z
    .object({
      /** The compensating transfer, wallet -> suspense. */
      undoId: z.string(),
      reason: z.string(),
      by: z.string(),
      atMs: z.number().int(),
    })
    .nullable(),
});

export const SuspenseEntrySchema = z.object({
  id: z.string(),
  depositId: z.string(),
  amountMinor: AmountMinorSchema,
  currency: CurrencyCodeSchema,
  /** Why it is held: an unknown or revoked code, a voucher, or an ops reversal of a kiosk deposit. */
  reason: z.enum(['codeUnknown', 'codeRevoked', 'voucher', 'reversal']),
  claimCodeMasked: z.string().nullable(),
  status: z.enum(['held', 'claimed']),
  createdAtMs: z.number().int(),
  /**
   * The claim's ops assignments, oldest first (the newest suspenseAssignmentsListedMax). A claimed entry
   * whose last assignment is not undone is credited by that assignment, which ops may undo; a claimed
   * entry without one was redeemed by the shopper with its code or receipt.
   */
  assignments: z.array(SuspenseAssignmentSchema),
});

export const OpsStoreSchema = StoreSchema;

/**
 * Where the ops API lives (issue 4), and the envelopes of its lists. Reversals stay at /v1/reversals and
 * code lookups at /v1/codes/lookups (issue 3).
 */
export const opsApiPaths = {
  stores: '/v1/ops/stores',
  clerks: (storeId: string) => `/v1/ops/stores/${encodeURIComponent(storeId)}/clerks`,
  clerkEnabled: (storeId: string, clerkId: string) =>
    `/v1/ops/stores/${encodeURIComponent(storeId)}/clerks/${encodeURIComponent(clerkId)}/enabled`,
  clerkPin: (storeId: string, clerkId: string) =>
    `/v1/ops/stores/${encodeURIComponent(storeId)}/clerks/${encodeURIComponent(clerkId)}/pin`,
  /** What a store owes and has paid: its drawer account -> the bank. */
  storeRemittances: (storeId: string) => `/v1/ops/stores/${encodeURIComponent(storeId)}/remittances`,
  terminals: '/v1/ops/terminals',
  terminalDisable: (terminalId: string) => `/v1/ops/terminals/${encodeURIComponent(terminalId)}/disable`,
  terminalEnable: (terminalId: string) => `/v1/ops/terminals/${encodeURIComponent(terminalId)}/enable`,
  terminalKeyRotation: (terminalId: string) =>
    `/v1/ops/terminals/${encodeURIComponent(terminalId)}/key-rotations`,
  /** The terminal's keys, newest first, each with its status (current, handing over, retired, revoked). */
  terminalKeys: (terminalId: string) => `/v1/ops/terminals/${encodeURIComponent(terminalId)}/keys`,
  /** Revoke one of its keys at once: the device holding it is lost or stolen. */
  terminalKeyRevocations: (terminalId: string) =>
    `/v1/ops/terminals/${encodeURIComponent(terminalId)}/key-revocations`,
  serverKeys: '/v1/ops/server-keys',
  terminalSetAsideRetries: (terminalId: string) =>
    `/v1/ops/terminals/${encodeURIComponent(terminalId)}/set-aside-retries`,
  /** One request that waits for the kiosk: DELETE cancels it. */
  terminalSetAsideRetry: (terminalId: string, requestId: string) =>
    `/v1/ops/terminals/${encodeURIComponent(terminalId)}/set-aside-retries/${encodeURIComponent(requestId)}`,
  alerts: '/v1/ops/alerts',
  alertCount: '/v1/ops/alerts/count',
  alertResolution: (alertId: string) => `/v1/ops/alerts/${encodeURIComponent(alertId)}/resolution`,
  collections: '/v1/ops/collections',
  /** What the bank credited for collected bags: cash in transit -> bank. */
  bankDeposits: '/v1/ops/bank-deposits',
  /** Where the money is now, per currency (collections/cash-position.ts). */
  cashPosition: '/v1/ops/cash-position',
  cashPositionCsv: '/v1/ops/cash-position.csv',
  settlements: '/v1/ops/settlements',
  settlementsCsv: '/v1/ops/settlements.csv',
  suspense: '/v1/ops/suspense',
  /** Credit a claim held in suspense to the shopper it belongs to. */
  suspenseAssignment: (claimId: string) => `/v1/ops/suspense/${encodeURIComponent(claimId)}/assignment`,
  /** Take back a claim ops credited to the wrong shopper: the money goes back to suspense, held again. */
  suspenseAssignmentUndo: (claimId: string) =>
    `/v1/ops/suspense/${encodeURIComponent(claimId)}/assignment-undo`,
  /**
   * The deposits that wait for ops, oldest first: held for review (a limit overrun offline, lost coin
   * events, a crash), or past the day's cash-report threshold with no report filed yet.
   */
  reviews: '/v1/ops/reviews',
  reviewCount: '/v1/ops/reviews/count',
  reviewClearance: (depositId: string) => `/v1/ops/reviews/${encodeURIComponent(depositId)}/clearance`,
  reviewCashReport: (depositId: string) => `/v1/ops/reviews/${encodeURIComponent(depositId)}/cash-report`,
  /** The audit trail, newest first: one subject's chain, or every entry that is not a deposit. */
  auditEntries: '/v1/ops/audit/entries',
  session: '/v1/ops/session',
  /** One shopper found by phone number: their wallet as they see it, for a support call. */
  shoppers: '/v1/ops/shoppers',
  shopperKyc: (shopperId: string) => `/v1/ops/shoppers/${encodeURIComponent(shopperId)}/kyc`,
  staff: '/v1/ops/staff',
  staffEnabled: (staffId: string) => `/v1/ops/staff/${encodeURIComponent(staffId)}/enabled`,
} as const;

/** A store as ops lists it: with what it owes now (till deposits less voids, less what it has paid). */
export const OpsStoreListItemSchema = OpsStoreSchema.extend({ owedMinor: z.number().int() });
export const StoreListSchema = z.object({ stores: z.array(OpsStoreListItemSchema) });
export const ClerkListSchema = z.object({ clerks: z.array(ClerkSchema) });
export const TerminalListSchema = z.object({ terminals: z.array(TerminalSummarySchema) });

/**
 * Where a rollover of the server's answer-signing key stands (server config SERVER_TRUSTED_KEYS): the keys
 * this server hands kiosks, and the enrolled kiosks whose last heartbeat did not list every one of them.
 * Switching the signing key to a key some kiosk does not hold leaves that kiosk believing no answer (it
 * keeps its deposits and syncs nothing) until it is enrolled again; switch when `behind` is empty.
 */
export const ServerKeyRolloverSchema = z.object({
  signingKey: Ed25519PublicKeySchema,
  trustedKeys: z.array(Ed25519PublicKeySchema),
  enrolledTerminals: z.number().int().nonnegative(),
  behind: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      lastHeartbeatAtMs: z.number().int().nullable(),
      serverKeys: z.array(Ed25519PublicKeySchema).nullable(),
    }),
  ),
});
export type ServerKeyRollover = z.infer<typeof ServerKeyRolloverSchema>;
export const AlertListSchema = z.object({ alerts: z.array(AlertSchema) });
/** How many alerts are open, however many that is (a listing stops at its maximum). */
export const AlertCountSchema = z.object({ open: z.number().int().nonnegative() });
export const CollectionListSchema = z.object({ collections: z.array(CollectionSchema) });
export const BankDepositListSchema = z.object({ bankDeposits: z.array(BankDepositSchema) });
/** Claims one page of the suspense queue lists. */
export const suspensePageEntriesMax = 500;

/** A page's place in the suspense queue: `createdAtMs.claimId` of the last entry of the page before. */
const suspenseCursorPattern = /^\d{1,16}\.[A-Za-z0-9_-]{1,64}$/;

export const SuspenseQuerySchema = z.object({
  /**
   * held (the default): the money still waiting for its owner, oldest first, so what has waited longest
   * leads however much arrived since; all: claimed ones too, newest first.
   */
  status: z.enum(['held', 'all']).optional(),
  /** The `next` of the page before. */
  after: z.string().regex(suspenseCursorPattern, 'expected a cursor from an earlier page').optional(),
});

export const SuspenseListSchema = z.object({
  entries: z.array(SuspenseEntrySchema),
  /** The cursor of the next page; null on the last. */
  next: z.string().nullable(),
  /** All the money held in suspense now, per currency, however many pages it spans. */
  held: z.array(
    z.object({
      currency: CurrencyCodeSchema,
      count: z.number().int().nonnegative(),
      totalMinor: z.number().int().nonnegative(),
    }),
  ),
});
export const StaffListSchema = z.object({ staff: z.array(StaffSchema) });
/** The most an operator writes when closing an alert by hand. */
export const alertResolutionNoteLengthMax = 500;

/** An operator closes an alert by hand, saying what they found (a counted bag, a deposit reviewed). */
export const ResolveAlertRequestSchema = z.object({ note: textSchema(alertResolutionNoteLengthMax) });
export type ResolveAlertRequest = z.infer<typeof ResolveAlertRequestSchema>;

export const AlertQuerySchema = z.object({
  /** Only alerts still open (the default), or every alert. */
  open: z.enum(['true', 'false']).optional(),
});

/** The audit-chain check (audit/audit-verify.ts on the server), run on demand from the ops console. */
export const auditVerificationPath = '/v1/ops/audit/verification';

/** Broken links an answer lists; the count of broken chains is always exact. */
export const auditBreaksListedMax = 20;

export const AuditVerificationSchema = z.object({
  ok: z.boolean(),
  chains: z.number().int().nonnegative(),
  entries: z.number().int().nonnegative(),
  brokenChains: z.number().int().nonnegative(),
  /** The first broken link of each broken chain, in chain order, at most auditBreaksListedMax. */
  breaks: z.array(
    z.object({
      chain: z.string(),
      seq: z.number().int().positive(),
      problem: z.enum(['hashMismatch', 'sequenceGap', 'headMismatch', 'headMissing']),
    }),
  ),
  checkedAtMs: z.number().int(),
});

/**
 * What the hash-chained audit log records: every change of money or of a code, and every act of ops staff
 * on people, stores and devices. An entry's `data.by` names who acted (a staff id, `ops-token` for the
 * service token, or the terminal itself), where a person or device acted.
 */
export const auditKinds = [
  'deposit.credited',
  'deposit.suspense',
  'deposit.reviewCleared',
  'deposit.cashReportFiled',
  'transfer.reversed',
  'claim.redeemed',
  'claim.assigned',
  'claim.assignmentUndone',
  'code.issued',
  'code.rotated',
  'slip.issued',
  'slip.cancelled',
  'shopper.kycChanged',
  'shopper.viewed',
  'account.opened',
  'family.childAdded',
  'family.capsSet',
  'staff.created',
  'staff.enabled',
  'staff.disabled',
  'store.created',
  'store.remittanceRecorded',
  'clerk.created',
  'clerk.enabled',
  'clerk.disabled',
  'clerk.pinReset',
  'terminal.created',
  'terminal.enrolled',
  'terminal.enabled',
  'terminal.disabled',
  'terminal.keyRotationStarted',
  'terminal.keyRevoked',
  'terminal.setAsideRetryRequested',
  'terminal.setAsideRetried',
  'terminal.setAsideRetryCancelled',
  'collection.recorded',
  'bankDeposit.recorded',
  'alert.closed',
] as const;
export const AuditKindSchema = z.enum(auditKinds);
export type AuditKind = z.infer<typeof AuditKindSchema>;

/** Entries one page of the trail holds at most, and by default. */
export const auditEntriesPageMax = 200;
export const auditEntriesPageDefault = 50;

export const AuditEntryDataSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.null()]),
);

export const AuditEntrySchema = z.object({
  /** The chain: a wallet account, shopper, staff member, store or terminal id. */
  subject: z.string(),
  seq: z.number().int().positive(),
  atMs: z.number().int(),
  kind: AuditKindSchema,
  /** Facts, never secrets: codes are masked. */
  data: AuditEntryDataSchema,
});

/**
 * Where the next page starts, as the server gave it in `next`: opaque to the console, checked by the
 * server, which answers VALIDATION_FAILED for anything it did not make.
 */
const auditCursorPattern = /^\d{1,16}\.\d{1,16}\.[A-Za-z0-9_.:-]{1,64}$/;

export const AuditTrailQuerySchema = z.object({
  /** One subject's chain (deposits included); without it, every entry that is not a deposit. */
  subject: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'expected an id')
    .optional(),
  before: z.string().regex(auditCursorPattern, 'expected a cursor from an earlier page').optional(),
  limit: z.coerce.number().int().min(1).max(auditEntriesPageMax).optional(),
});

export const AuditTrailSchema = z.object({
  entries: z.array(AuditEntrySchema),
  /** The `before` of the next (older) page, or null when this page reached the start of the log. */
  next: z.string().nullable(),
});

/** Why a deposit whose cash was already taken was credited and held for review instead of refused. */
export const depositReviewReasons = [
  'limitExceeded',
  'familyCapExceeded',
  'slipUsed',
  'slipExpired',
  'slipCancelled',
  'slipAmountMismatch',
  'codeUnknown',
  'codeRevoked',
  'currencyMismatch',
] as const;

/** What a kiosk flags on a deposit for a person to look at (its sync flags that hold a deposit). */
export const kioskReviewFlags = ['lostEvents', 'recovered', 'deviceFault'] as const;

/**
 * What the server flags on a kiosk deposit for a person to look at: it arrived signed with a key a newer
 * enrollment retired (a replaced device handing over what it took, or someone holding its old key).
 */
export const serverKioskReviewFlags = ['retiredKey'] as const;

/** How many deposits wait in the review queue, however many that is (a listing stops at its maximum). */
export const ReviewCountSchema = z.object({ waiting: z.number().int().nonnegative() });

/** The most deposits one listing of the queue returns, oldest first. */
export const reviewsListedMax = 500;
/** The most an operator writes when clearing a hold, and the longest cash-report reference. */
export const reviewNoteLengthMax = 500;
export const cashReportReferenceLengthMax = 80;

export const ReviewItemSchema = z.object({
  depositId: z.string(),
  amountMinor: AmountMinorSchema,
  currency: CurrencyCodeSchema,
  createdAtMs: z.number().int(),
  shopperId: z.string().nullable(),
  /** "Maria G.", as a till sees it. */
  shopperName: z.string().nullable(),
  walletAccountId: z.string().nullable(),
  codeMasked: z.string(),
  /**
   * Where the money came from: a kiosk's bag (owned by its terminal id), a store's drawer (its store id), or
   * suspense (a claim redeemed; owned by the network, `system`).
   */
  source: z.object({ kind: z.enum(['kioskBag', 'storeDrawer', 'suspense']), ownerId: z.string() }),
  status: z.enum(['credited', 'inReview', 'reversed']),
  /** Why it is held: the ledger's reason and the kiosk's flags; empty when only a cash report is due. */
  reasons: z.array(z.enum([...depositReviewReasons, ...kioskReviewFlags, ...serverKioskReviewFlags])),
  /** The day's cash passed the report threshold with this deposit: `due` until a report is filed. */
  cashReport: z.enum(['due', 'filed']).nullable(),
});
export type ReviewItem = z.infer<typeof ReviewItemSchema>;

export const ReviewListSchema = z.object({ deposits: z.array(ReviewItemSchema) });

/** An operator keeps a held deposit credited, saying what they checked. */
export const ClearReviewRequestSchema = z.object({ note: textSchema(reviewNoteLengthMax) });

/** An operator records the currency transaction report filed for the shopper's cash, by its reference. */
export const FileCashReportRequestSchema = z.object({ reference: textSchema(cashReportReferenceLengthMax) });

/** The deposits the filed report covers: every one of the shopper's due up to the one it was filed from. */
export const CashReportFiledSchema = z.object({
  reference: z.string(),
  depositIds: z.array(z.string()),
});

/**
 * An operator credits money held in suspense to a shopper who proved it is theirs (a lost receipt, a
 * mistyped code): the claim is redeemed into that shopper's wallet, once, as if they had typed its code.
 */
export const AssignClaimRequestSchema = z.object({
  /** The id of the transfer into the wallet, chosen by the console before sending, so a retry credits once. */
  assignmentId: UuidV7Schema,
  /** The shopper's phone number, as they signed up with it. */
  phone: PhoneE164Schema,
  reason: textSchema(reasonLengthMax),
});

export const ClaimAssignmentSchema = z.object({
  result: z.enum(['created', 'exists']),
  claimId: z.string(),
  transferId: z.string(),
  shopperId: z.string(),
  amountMinor: AmountMinorSchema,
  currency: CurrencyCodeSchema,
  /** Credited, or credited and held for review when it passes the wallet's limits. */
  status: z.enum(['credited', 'inReview']),
});

/**
 * An operator takes back a claim ops credited to the wrong shopper: the money goes from that wallet back
 * to suspense (a compensating transfer naming the assignment), and the claim is held again, to be
 * credited to its owner or redeemed with its code. Only an ops assignment is undone this way.
 */
export const UndoClaimAssignmentRequestSchema = z.object({
  /** The id of the compensating transfer, chosen by the console before sending, so a retry moves once. */
  undoId: UuidV7Schema,
  /** The assignment to undo (its transfer id), so an undo meant for one never takes back a later one. */
  assignmentId: UuidV7Schema,
  reason: textSchema(reasonLengthMax),
});

export const ClaimAssignmentUndoSchema = z.object({
  result: z.enum(['created', 'exists']),
  claimId: z.string(),
  undoId: z.string(),
  assignmentId: z.string(),
  /** The shopper the money was taken back from. */
  shopperId: z.string(),
  amountMinor: AmountMinorSchema,
  currency: CurrencyCodeSchema,
});

export const OpsShopperQuerySchema = z.object({ phone: PhoneE164Schema });

/**
 * A shopper as ops sees them on a support call: the wallet the shopper sees (balance, what they may still
 * deposit, history with each entry's id, for a reversal) and their deposit code, masked as receipts print it.
 */
export const OpsShopperSchema = WalletResponseSchema.extend({
  depositCodeMasked: z.string(),
  signedUpAtMs: z.number().int(),
});
export type OpsShopper = z.infer<typeof OpsShopperSchema>;
