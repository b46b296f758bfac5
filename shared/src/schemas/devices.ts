import { z } from 'zod';
import { CurrencyCodeSchema } from '../money/currency.js';
import { PositiveAmountMinorSchema } from '../money/money.js';

/**
 * What the kiosk's devices report, as typed events. Drivers produce them from bytes; the deposit engine
 * consumes them; the bridge carries them (inside state snapshots) to the UI and maintenance screens.
 */
export const DeviceKindSchema = z.enum([
  'coinAcceptor',
  'billValidator',
  'bulkCounter',
  'scanner',
  'printer',
]);
export type DeviceKind = z.infer<typeof DeviceKindSchema>;

/** Why a coin or bill was given back. */
export const RejectReasonSchema = z.enum([
  'rejected', // the validator did not recognise it (slug, foreign coin, worn bill)
  'inhibited', // a channel or the master inhibit was closed: the deposit could not take it
  'unknownDenomination', // the device reported a channel we have no denomination for
  'returnedFromEscrow', // a bill the host sent back
]);

export const DeviceFaultSchema = z.enum([
  'jam',
  'fraudAttempt',
  'flightDeckOpen',
  'stackerFull',
  'stackerRemoved',
  'stackerFaulty',
  'doorOpen',
  'paperOut',
  'coverOpen',
  'selfCheckFailed',
  'protocolError',
]);
export type DeviceFault = z.infer<typeof DeviceFaultSchema>;

const base = {
  /** The configured name of the device ("coin", "bill"), unique within a kiosk. */
  device: z.string().min(1).max(32),
};

export const DeviceEventSchema = z.discriminatedUnion('type', [
  /** Money that is in the machine for good: a coin accepted, a bill stacked, a batch count. */
  z.object({
    ...base,
    type: z.literal('credit'),
    kind: z.enum(['coin', 'bill']),
    ccTalkId: z.string().min(1).max(8),
    currency: CurrencyCodeSchema,
    valueMinor: PositiveAmountMinorSchema,
    count: z.number().int().positive().max(100_000),
  }),
  /** A bill waiting in escrow: the host must stack or return it. */
  z.object({
    ...base,
    type: z.literal('escrow'),
    ccTalkId: z.string().min(1).max(8),
    currency: CurrencyCodeSchema,
    valueMinor: PositiveAmountMinorSchema,
  }),
  z.object({
    ...base,
    type: z.literal('reject'),
    reason: RejectReasonSchema,
    valueMinor: PositiveAmountMinorSchema.optional(),
    count: z.number().int().positive().max(100_000),
  }),
  z.object({
    ...base,
    type: z.literal('fault'),
    fault: DeviceFaultSchema,
    detail: z.string().max(200).optional(),
  }),
  z.object({ ...base, type: z.literal('faultCleared'), fault: DeviceFaultSchema }),
  /** Events the device produced that the host never saw (more than the buffer between two polls). */
  z.object({ ...base, type: z.literal('lostEvents'), count: z.number().int().positive() }),
  /** The device lost power or was reset; the driver re-initialises it. */
  z.object({ ...base, type: z.literal('reset') }),
  z.object({ ...base, type: z.literal('connected') }),
  z.object({ ...base, type: z.literal('disconnected'), detail: z.string().max(200).optional() }),
  z.object({ ...base, type: z.literal('scan'), text: z.string().max(512), symbology: z.string().max(16) }),
]);

export type DeviceEvent = z.infer<typeof DeviceEventSchema>;

export const DeviceStatusSchema = z.object({
  device: z.string(),
  kind: DeviceKindSchema,
  state: z.enum(['ok', 'faulted', 'disconnected', 'disabled']),
  faults: z.array(DeviceFaultSchema),
  detail: z.string().optional(),
});
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;
