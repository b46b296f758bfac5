import { z } from 'zod';
import { CurrencyCodeSchema } from '../money/currency.js';
import { AmountMinorSchema, PositiveAmountMinorSchema } from '../money/money.js';
import { UuidV7Schema } from '../ids/uuidv7.js';
import { IsoTimestampSchema } from './common.js';

/**
 * One kiosk deposit as the terminal journals it and syncs it. The id is chosen by the terminal when the
 * deposit opens and stored before anything is sent; the sequence number is assigned at commit, per
 * terminal, and never reused, so the server can see a gap.
 */
export const DepositItemSchema = z.object({
  kind: z.enum(['coin', 'bill']),
  ccTalkId: z.string().min(1).max(8),
  valueMinor: PositiveAmountMinorSchema,
  count: z.number().int().positive().max(100_000),
});
export type DepositItem = z.infer<typeof DepositItemSchema>;

export const DepositFlagsSchema = z.object({
  /** Committed on restart after a crash or power loss left it open. */
  recovered: z.boolean(),
  /** A device reported lost events during the deposit: the total may be short; held for review. */
  lostEvents: z.boolean(),
  /** The shopper was identified without the server (format checked locally; offline caps applied). */
  offline: z.boolean(),
  /** Ended by a device fault rather than the shopper. */
  deviceFault: z.boolean(),
});
export type DepositFlags = z.infer<typeof DepositFlagsSchema>;

export const KioskDepositSchema = z
  .object({
    depositId: UuidV7Schema,
    sequence: z.number().int().positive(),
    /** The code the shopper identified with (digits only), or null for "no account" (a voucher). */
    code: z
      .string()
      .regex(/^\d{16,20}$/)
      .nullable(),
    /** The claim code printed on the voucher when there was no account. */
    claimCode: z
      .string()
      .regex(/^\d{16,20}$/)
      .nullable(),
    currency: CurrencyCodeSchema,
    items: z.array(DepositItemSchema).max(64),
    rejectedCount: z.number().int().nonnegative(),
    totalMinor: AmountMinorSchema,
    startedAt: IsoTimestampSchema,
    committedAt: IsoTimestampSchema,
    flags: DepositFlagsSchema,
    /** Base64url Ed25519 signature by the terminal over the receipt payload, for offline deposits. */
    receiptSignature: z.string().max(200).nullable(),
  })
  .refine(
    (deposit) =>
      deposit.items.reduce((sum, item) => sum + item.valueMinor * item.count, 0) === deposit.totalMinor,
    { message: 'totalMinor must equal the sum of the items', path: ['totalMinor'] },
  )
  .refine((deposit) => (deposit.code === null) !== (deposit.claimCode === null), {
    message: 'a deposit has either a shopper code or a claim code',
    path: ['code'],
  });

export type KioskDeposit = z.infer<typeof KioskDepositSchema>;
