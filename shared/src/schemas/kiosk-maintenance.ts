import { z } from 'zod';
import { ErrorCodeSchema } from '../errors/catalogue.js';
import { UuidV7Schema } from '../ids/uuidv7.js';
import { CurrencyCodeSchema } from '../money/currency.js';
import { AmountMinorSchema } from '../money/money.js';
import { IsoTimestampSchema } from './common.js';
import { DeviceDiagnosticsSchema, DeviceFaultSchema, DeviceStatusSchema } from './devices.js';

/**
 * Maintenance mode over the kiosk bridge: what a field tech may ask once unlocked with the technician PIN,
 * and the state the agent shows them. Every operation answers with a result, so the screen can say what
 * happened; nothing here moves money except a collection, which only records that a bag left the kiosk.
 */
export const technicianPinDigitsMin = 4;
export const technicianPinDigitsMax = 12;
/** The most recent deposits the maintenance screen lists, newest first, each with a reprint button. */
export const maintenanceDepositsListedMax = 20;

export const MaintenanceRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('unlock'), pin: z.string().regex(/^\d{4,12}$/) }),
  z.object({ op: z.literal('lock') }),
  z.object({ op: z.literal('refresh') }),
  z.object({ op: z.literal('selfTest'), device: z.string().min(1).max(32) }),
  z.object({ op: z.literal('testPrint') }),
  /** The tech has taken the cash bag out: record its totals and start a new bag. */
  z.object({ op: z.literal('collect') }),
  z.object({ op: z.literal('syncNow') }),
  /**
   * Puts every deposit set aside (a conflict, a refusal, an unreadable row) back in the queue and syncs:
   * once ops or a server upgrade dealt with the cause, the server takes them, still once each by deposit id;
   * those it still cannot take are set aside again.
   */
  z.object({ op: z.literal('retrySetAside') }),
  z.object({ op: z.literal('reprintLast') }),
  /** Reprints the receipt of one of the listed recent deposits (a recovered one, say, no longer the last). */
  z.object({ op: z.literal('reprint'), depositId: UuidV7Schema }),
]);
export type MaintenanceRequest = z.infer<typeof MaintenanceRequestSchema>;
export type MaintenanceOp = MaintenanceRequest['op'];

const DeviceNameSchema = z.string().min(1).max(32);
const CountSchema = z.number().int().nonnegative();
/** A kiosk configures at most this many devices, so a collection records at most this many bags. */
export const maintenanceCollectedDevicesMax = 16;
/** An unexpected failure's own words, cut to this length. */
export const maintenanceDetailCharsMax = 200;

/**
 * What happened, as data the screen words in the tech's language: a kind (the message to show) and the
 * values it needs, never a sentence. Only `failed` carries text, because an unexpected exception's message
 * comes from outside our code and cannot be translated; the screen labels it as an English detail.
 */
export const MaintenanceOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('unlocked') }),
  z.object({ kind: z.literal('locked') }),
  /** Asked for something while locked (never unlocked, or locked itself after a quiet spell). */
  z.object({ kind: z.literal('pinRequired') }),
  z.object({ kind: z.literal('pinWrong') }),
  /** Too many wrong PINs: the state's `lockedUntilMs` says until when. */
  z.object({ kind: z.literal('pinLocked') }),
  z.object({ kind: z.literal('refreshed') }),
  z.object({ kind: z.literal('selfTestPassed'), device: DeviceNameSchema }),
  z.object({
    kind: z.literal('selfTestFailed'),
    device: DeviceNameSchema,
    /** False when the device did not answer at all (unplugged, powered off, the wrong port). */
    answered: z.boolean(),
    faults: z.array(DeviceFaultSchema).max(DeviceFaultSchema.options.length),
    /** The device's own self-check fault code when it reported one (ccTalk header 232). */
    selfCheckFaultCode: z.number().int().min(1).max(255).nullable(),
  }),
  z.object({ kind: z.literal('deviceUnknown'), device: DeviceNameSchema }),
  z.object({ kind: z.literal('testPrinted') }),
  z.object({ kind: z.literal('noPrinter') }),
  /** A test page or receipt did not print: the printer's fault, or null when it did not answer. */
  z.object({ kind: z.literal('printFailed'), fault: DeviceFaultSchema.nullable() }),
  z.object({ kind: z.literal('synced'), synced: CountSchema, quarantined: CountSchema }),
  /** The round stopped early; the result's `code` says why, the counts say what went before it stopped. */
  z.object({ kind: z.literal('syncFailed'), synced: CountSchema, quarantined: CountSchema }),
  /** `requeued` set-aside deposits went back in the queue; the sync round after sent and set aside these. */
  z.object({
    kind: z.literal('setAsideRetried'),
    requeued: CountSchema,
    synced: CountSchema,
    quarantined: CountSchema,
  }),
  z.object({
    kind: z.literal('collected'),
    currency: CurrencyCodeSchema,
    bags: z
      .array(z.object({ device: DeviceNameSchema, pieces: CountSchema, totalMinor: AmountMinorSchema }))
      .max(maintenanceCollectedDevicesMax),
  }),
  z.object({ kind: z.literal('noMoneyDevices') }),
  z.object({ kind: z.literal('receiptReprinted'), sequence: z.number().int().positive() }),
  /** No committed deposit by that id (or none yet, for the last one), or only a stray. */
  z.object({ kind: z.literal('depositUnknown') }),
  z.object({ kind: z.literal('failed'), detail: z.string().max(maintenanceDetailCharsMax) }),
]);
export type MaintenanceOutcome = z.infer<typeof MaintenanceOutcomeSchema>;
export type MaintenanceOutcomeKind = MaintenanceOutcome['kind'];

export const MaintenanceResultSchema = z.object({
  op: z.enum([
    'unlock',
    'lock',
    'refresh',
    'selfTest',
    'testPrint',
    'collect',
    'syncNow',
    'retrySetAside',
    'reprintLast',
    'reprint',
  ]),
  ok: z.boolean(),
  code: ErrorCodeSchema.nullable(),
  outcome: MaintenanceOutcomeSchema,
});
export type MaintenanceResult = z.infer<typeof MaintenanceResultSchema>;

/** One committed deposit as the tech sees it in the list of recent deposits (strays are not listed). */
export const MaintenanceDepositSchema = z.object({
  depositId: UuidV7Schema,
  sequence: z.number().int().positive(),
  committedAtMs: z.number().int(),
  totalMinor: AmountMinorSchema,
  /** A "no account" deposit: its receipt carries a claim code. */
  voucher: z.boolean(),
  /** Committed on restart after a crash or power loss left it open. */
  recovered: z.boolean(),
  /** Recovered, lost events or a device fault: the server holds it for review. */
  heldForReview: z.boolean(),
  /** Where it stands with the server: waiting to sync, acknowledged, or quarantined after a conflict. */
  sync: z.enum(['pending', 'synced', 'quarantined']),
  /**
   * Whether the printer said its receipt came out. A voucher or offline deposit whose receipt did not is
   * listed first: its claim code or signed QR is on paper nowhere, and the kiosk prints it when it can.
   */
  receiptPrinted: z.boolean(),
});
export type MaintenanceDeposit = z.infer<typeof MaintenanceDepositSchema>;

export const MaintenanceStateSchema = z.object({
  unlocked: z.boolean(),
  /** While locked after too many wrong PINs: when the next attempt is allowed. */
  lockedUntilMs: z.number().int().nullable(),
  terminalId: z.string().nullable(),
  softwareVersion: z.string(),
  devices: z.array(DeviceStatusSchema),
  diagnostics: z.array(DeviceDiagnosticsSchema),
  outbox: z.object({
    depth: z.number().int().nonnegative(),
    unsyncedTotalMinor: AmountMinorSchema,
    oldestUnsyncedAtMs: z.number().int().nullable(),
    quarantined: z.number().int().nonnegative(),
    /**
     * What the quarantined deposits hold. Money the server never credited counts against the offline caps
     * with the queue, until ops resolve it.
     */
    quarantinedTotalMinor: AmountMinorSchema,
    lastSequence: z.number().int().nonnegative(),
  }),
  sync: z.object({
    online: z.boolean(),
    lastSyncedAtMs: z.number().int().nullable(),
    nextAttemptAtMs: z.number().int().nullable(),
    lastErrorCode: ErrorCodeSchema.nullable(),
  }),
  bag: z.object({
    currency: CurrencyCodeSchema,
    totalMinor: AmountMinorSchema,
    coinCount: z.number().int().nonnegative(),
    billCount: z.number().int().nonnegative(),
  }),
  /** The newest first, bounded. */
  recentErrors: z
    .array(z.object({ at: IsoTimestampSchema, code: ErrorCodeSchema, detail: z.string().max(200) }))
    .max(20),
  /**
   * Committed deposits for reprinting a receipt: vouchers and offline deposits whose receipt never printed
   * first, then the newest; empty while locked.
   */
  recentDeposits: z.array(MaintenanceDepositSchema).max(maintenanceDepositsListedMax),
  lastResult: MaintenanceResultSchema.nullable(),
});
export type MaintenanceState = z.infer<typeof MaintenanceStateSchema>;
