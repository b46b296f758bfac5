import { z } from 'zod';
import { CurrencyCodeSchema } from '../../money/currency.js';
import { AmountMinorSchema, PositiveAmountMinorSchema } from '../../money/money.js';
import { textSchema } from '../common.js';
import {
  AllowanceSchema,
  DepositCodeResponseSchema,
  WalletEntrySchema,
  shopperNameLengthMax,
} from './server-api.js';

/**
 * Wire schemas of family accounts: a signed-in parent adds a child's wallet (its own deposit code, no
 * phone, no sign-in of its own), caps what may go into it, and alone sees its balance and history.
 */
export const familyApiPaths = {
  children: '/v1/me/children',
  child: (childId: string) => `/v1/me/children/${encodeURIComponent(childId)}`,
  caps: (childId: string) => `/v1/me/children/${encodeURIComponent(childId)}/caps`,
} as const;

/** The most child wallets one parent may hold; more is a conversation with support, not a form. */
export const familyChildrenMax = 6;

export const AddChildRequestSchema = z.object({ name: textSchema(shopperNameLengthMax) });

/**
 * Caps on deposits into a child's wallet, in minor units; null means no cap of that kind. They sit under
 * the network's own limits, never above them. A daily cap of 0 stops deposits altogether.
 */
export const WalletCapsSchema = z
  .object({
    depositMaxMinor: PositiveAmountMinorSchema.nullable(),
    dailyMaxMinor: AmountMinorSchema.nullable(),
  })
  .refine(
    (caps) =>
      caps.depositMaxMinor === null ||
      caps.dailyMaxMinor === null ||
      caps.depositMaxMinor <= caps.dailyMaxMinor,
    { message: 'the per-deposit cap cannot be above the daily cap', path: ['depositMaxMinor'] },
  );
export type WalletCaps = z.infer<typeof WalletCapsSchema>;

export const ChildSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  currency: CurrencyCodeSchema,
  balanceMinor: z.number().int(),
  caps: WalletCapsSchema,
});

export const ChildListSchema = z.object({ children: z.array(ChildSummarySchema) });

export const ChildWalletSchema = z.object({
  child: ChildSummarySchema,
  /** What the wallet may still take now, under both the network's limits and the parent's caps. */
  allowance: AllowanceSchema,
  depositCode: DepositCodeResponseSchema,
  history: z.array(WalletEntrySchema),
});

/** Where a shopper can pay cash in: stores of their currency, with their kiosks and whether they work. */
export const locationsApiPath = '/v1/locations';

/** Stores listed at most; a shopper's phone shows a page, not the whole network. */
export const locationsListedMax = 200;

export const kioskAvailabilities = ['online', 'offline', 'outOfService'] as const;

export const DepositLocationSchema = z.object({
  storeName: z.string(),
  address: z.string().nullable(),
  /** A clerk can take cash at the till (the store has clerks). */
  till: z.boolean(),
  kiosks: z.array(z.object({ name: z.string(), status: z.enum(kioskAvailabilities) })),
});

export const DepositLocationListSchema = z.object({ locations: z.array(DepositLocationSchema) });
