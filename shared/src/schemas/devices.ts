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

/**
 * What a bulk coin counter says it is doing (its status bits): counting a pour, done with a batch, or idle.
 * It cannot be inhibited, so a pour goes on being counted after the shopper taps Finish: a deposit drains
 * until every counter has stopped counting.
 */
export const CounterStateSchema = z.enum(['counting', 'batchDone', 'idle']);
export type CounterState = z.infer<typeof CounterStateSchema>;

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
    /** The denomination given back, when the device said which. */
    ccTalkId: z.string().min(1).max(8).optional(),
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
  /** A bulk counter's status changed (and once when it starts): see CounterStateSchema. */
  z.object({ ...base, type: z.literal('counterState'), state: CounterStateSchema }),
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

/**
 * One device of a kiosk, as its configuration names it. `url` is opened by the ports module:
 * `serial:///dev/ttyUSB0?baud=9600&parity=none`, `tcp://127.0.0.1:7001`, `hid://0c2e:0b61` or
 * `usblp:///dev/usb/lp0`.
 */
export const DeviceConfigSchema = z.object({
  name: z.string().min(1).max(32),
  kind: DeviceKindSchema,
  url: z.string().min(1).max(256),
  currency: CurrencyCodeSchema,
  /** The ccTalk address when it differs from the default (coin 2, bill 40). */
  address: z.number().int().min(2).max(255).optional(),
  /** ccTalk checksum mode when it differs from the default (coins 8-bit, bills CRC-16). */
  checksum: z.enum(['simple', 'crc16']).optional(),
  /** Whether the bus echoes the host's bytes; undefined detects it. */
  echo: z.boolean().optional(),
});
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

/** What a device says about itself, for the maintenance screen and the field tech. */
export const DeviceDiagnosticsSchema = z.object({
  device: z.string(),
  kind: DeviceKindSchema,
  manufacturer: z.string().optional(),
  category: z.string().optional(),
  product: z.string().optional(),
  serialNumber: z.string().optional(),
  softwareRevision: z.string().optional(),
  /** 0 when the self-check passed; the device's own fault code otherwise. */
  selfCheckFaultCode: z.number().int().min(0).max(255).optional(),
  /** Channels (ccTalk) or registers (counter) and the denomination each maps to. */
  channels: z.array(z.object({ channel: z.number().int(), ccTalkId: z.string(), valueMinor: z.number() })),
  echoDetected: z.boolean().optional(),
  ok: z.boolean(),
  /** False when the device did not answer the self-test at all (unplugged, powered off, the wrong port). */
  answered: z.boolean(),
  /** What the self-test found wrong, in the words every screen translates; empty when it passed. */
  faults: z.array(DeviceFaultSchema),
  /** Technical notes for the log ("status 0x5"); screens show `faults` instead. */
  detail: z.string().optional(),
});
export type DeviceDiagnostics = z.infer<typeof DeviceDiagnosticsSchema>;
