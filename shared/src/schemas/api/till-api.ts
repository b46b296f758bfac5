import { z } from 'zod';
import { codeSchema } from '../../codes/code-schema.js';
import { CurrencyCodeSchema } from '../../money/currency.js';
import { AmountMinorSchema, PositiveAmountMinorSchema } from '../../money/money.js';
import { UuidV7Schema } from '../../ids/uuidv7.js';
import { textSchema } from '../common.js';

/**
 * Wire schemas of the clerk's till (issue 4), in Green Dot's three steps: authorize before the clerk takes
 * the cash (the code and every limit are checked, the shopper's masked name comes back), commit once the
 * cash is in the drawer (credits the wallet exactly once however often it is retried), and void within a
 * window, by the same store, with a reason. Ids are chosen by the till and stored before they are sent.
 */
export const tillApiPaths = {
  session: '/v1/till/session',
  /** What a scanned code is before the amount: the shopper's masked name, allowance, a slip's amount. */
  lookups: '/v1/till/lookups',
  authorizations: '/v1/till/authorizations',
  commit: (authorizationId: string) => `/v1/till/authorizations/${authorizationId}/commit`,
  void: (authorizationId: string) => `/v1/till/authorizations/${authorizationId}/void`,
  shift: '/v1/till/shift',
} as const;

export const clerkPinPattern = /^\d{4,8}$/;

export const ClerkSignInRequestSchema = z.object({
  storeId: z.string().min(1).max(64),
  clerkId: z.string().min(1).max(64),
  pin: z.string().regex(clerkPinPattern, 'expected a PIN of 4 to 8 digits'),
});

export const StoreSchema = z.object({
  id: z.string(),
  name: z.string(),
  currency: CurrencyCodeSchema,
  timeZone: z.string(),
  /** Where shoppers find it ("12 Main St, Springfield"); optional, shown in the wallet's store list. */
  address: z.string().nullable().default(null),
});
export type Store = z.infer<typeof StoreSchema>;

export const ClerkSessionSchema = z.object({
  token: z.string(),
  expiresAtMs: z.number().int(),
  clerk: z.object({ id: z.string(), name: z.string() }),
  store: StoreSchema,
});

export const AuthorizeRequestSchema = z.object({
  authorizationId: UuidV7Schema,
  code: codeSchema(['deposit', 'slip']),
  amountMinor: PositiveAmountMinorSchema,
  currency: CurrencyCodeSchema,
});

/** What the clerk reads before taking the cash, and what the receipt needs. */
export const AuthorizationSchema = z.object({
  authorizationId: UuidV7Schema,
  status: z.enum(['authorized', 'committed', 'voided', 'expired']),
  maskedName: z.string(),
  codeMasked: z.string(),
  codeType: z.enum(['deposit', 'slip']),
  amountMinor: PositiveAmountMinorSchema,
  currency: CurrencyCodeSchema,
  /** What the wallet may still take after this deposit. */
  remainingAfterMinor: AmountMinorSchema,
  expiresAtMs: z.number().int(),
  storeName: z.string(),
  clerkName: z.string(),
  createdAtMs: z.number().int(),
  committedAtMs: z.number().int().nullable(),
  voidedAtMs: z.number().int().nullable(),
  /** Until when a committed deposit may still be voided (never for money held in suspense). */
  voidableUntilMs: z.number().int().nullable(),
  /**
   * Where a committed deposit's money went: the authorized shopper's wallet, or suspense when it could
   * not reach it (the shopper claims it with claimCode). Null until committed.
   */
  creditedTo: z.enum(['wallet', 'suspense']).nullable(),
  /** Only on a commit's answer, and only when the money went to suspense: printed for the shopper. */
  claimCode: z.string().nullable(),
});
export type Authorization = z.infer<typeof AuthorizationSchema>;

export const VoidRequestSchema = z.object({ reason: textSchema(200) });

export const ShiftSummarySchema = z.object({
  clerk: z.object({ id: z.string(), name: z.string() }),
  store: StoreSchema,
  sinceMs: z.number().int(),
  deposits: z.object({ count: z.number().int().nonnegative(), totalMinor: AmountMinorSchema }),
  /** This shift's own deposits voided in it. */
  voids: z.object({ count: z.number().int().nonnegative(), totalMinor: AmountMinorSchema }),
  /**
   * Cash this clerk paid back in this shift for deposits taken before it or by another clerk: listed for
   * the store's reconciliation, not taken off the hand-over (which another shift already counted).
   */
  otherVoids: z.object({ count: z.number().int().nonnegative(), totalMinor: AmountMinorSchema }),
  /** The cash this clerk should hand over: deposits less voids. */
  cashToHandOverMinor: AmountMinorSchema,
  recent: z.array(AuthorizationSchema).max(50),
});
