import { z } from 'zod';
import { codeSchema, ClaimCodeSchema } from '../../codes/code-schema.js';
import { KycTierSchema } from '../../limits/kyc-tier.js';
import { CurrencyCodeSchema } from '../../money/currency.js';
import { AmountMinorSchema, PositiveAmountMinorSchema } from '../../money/money.js';
import { UuidV7Schema } from '../../ids/uuidv7.js';
import { LanguageSchema, PhoneE164Schema, textSchema } from '../common.js';

/**
 * Wire schemas of the server's /v1 API (issue 3: shoppers, wallets, codes, deposits). The server validates
 * with them and generates its OpenAPI document from them; clients parse answers with them.
 */

/** Display names and reasons: bounded text, no control characters. */
export const shopperNameLengthMax = 80;
export const reasonLengthMax = 200;
export const ownerRefLengthMax = 64;

export const SignUpRequestSchema = z.object({
  phone: PhoneE164Schema,
  name: textSchema(shopperNameLengthMax).optional(),
  language: LanguageSchema.default('en'),
  currency: CurrencyCodeSchema,
});

export type SignUpRequest = z.input<typeof SignUpRequestSchema>;

/**
 * `language` is for a number with no wallet, which gets a text saying so in it (a shopper's own texts are
 * in the language they signed up in).
 */
export const OtpRequestSchema = z.object({ phone: PhoneE164Schema, language: LanguageSchema.optional() });

/**
 * The answer to a sign-up or a request for a code: the same whether or not the number has a wallet, so
 * neither route tells anyone who is a shopper. The wallet is opened when the texted code is verified.
 */
export const CodeSentResponseSchema = z.object({ sent: z.literal(true) });

/** A sign-up token: 128 random bits, base64url without padding. */
export const signUpTokenBytes = 16;
export const SignUpTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22}$/, 'expected the sign-up token from the sign-up answer');

/**
 * The answer to a sign-up: its code was texted, and `signUpToken` names this sign-up, whose details the
 * wallet opens with when the code is verified together with the token. Every sign-up gets a fresh token,
 * whether or not the number has a wallet, so the answer still tells nobody who is a shopper; and a later
 * sign-up of the same number (by a stranger, say) gets its own token and cannot change what this one opens.
 */
export const SignUpResponseSchema = CodeSentResponseSchema.extend({ signUpToken: SignUpTokenSchema });

/**
 * Trades a texted code for a session. A sign-up's code opens the wallet only with its `signUpToken`; a
 * sign-in needs none (a token given there must still be one of this number's live sign-ups).
 */
export const SessionRequestSchema = z.object({
  phone: PhoneE164Schema,
  otp: z.string().regex(/^\d{6}$/, 'expected the six digits of the one-time code'),
  signUpToken: SignUpTokenSchema.optional(),
});

export const SessionResponseSchema = z.object({ token: z.string(), expiresAtMs: z.number().int() });

export const ShopperSchema = z.object({
  id: z.string(),
  phone: z.string(),
  name: z.string().nullable(),
  language: LanguageSchema,
  currency: CurrencyCodeSchema,
  kycTier: KycTierSchema,
});

export const AllowanceSchema = z.object({
  remainingMinor: AmountMinorSchema,
  remainingDeposits: z.number().int().nonnegative(),
});

export const WalletEntrySchema = z.object({
  transferId: z.string(),
  kind: z.string(),
  amountMinor: z.number().int(),
  currency: CurrencyCodeSchema,
  status: z.enum(['pending', 'credited', 'reversed', 'inReview']),
  codeMasked: z.string().nullable(),
  createdAtMs: z.number().int(),
});

export const WalletResponseSchema = z.object({
  shopper: ShopperSchema,
  balanceMinor: z.number().int(),
  allowance: AllowanceSchema,
  history: z.array(WalletEntrySchema),
});

export const DepositCodeResponseSchema = z.object({
  code: z.string(),
  formatted: z.string(),
  barcodes: z.object({
    code128Png: z.string(),
    code128Svg: z.string(),
    qrPng: z.string(),
    qrSvg: z.string(),
  }),
});

/** Codes a deposit may name: the shopper's reusable code or a one-use payment slip. */
export const DepositTargetCodeSchema = codeSchema(['deposit', 'slip']);

export const DepositRequestSchema = z.object({
  id: UuidV7Schema,
  code: DepositTargetCodeSchema,
  amountMinor: PositiveAmountMinorSchema,
  currency: CurrencyCodeSchema,
  sourceAccountId: UuidV7Schema,
  cashAlreadyTaken: z.boolean().default(false),
});

export const DepositReceiptSchema = z.object({
  result: z.enum(['created', 'exists']),
  depositId: z.string(),
  status: z.enum(['credited', 'inReview', 'reversed', 'suspense']),
  amountMinor: PositiveAmountMinorSchema,
  currency: CurrencyCodeSchema,
  codeMasked: z.string(),
  maskedName: z.string().nullable(),
  reviewReason: z.string().nullable(),
  cashReportFlagged: z.boolean(),
  claimCode: z.string().nullable(),
  createdAtMs: z.number().int(),
});

export const CodeLookupRequestSchema = z.object({ code: DepositTargetCodeSchema });

export const CodeLookupResponseSchema = z.object({
  maskedName: z.string(),
  currency: CurrencyCodeSchema,
  allowance: AllowanceSchema,
  depositMinMinor: AmountMinorSchema,
  depositMaxMinor: AmountMinorSchema,
  slipAmountMinor: AmountMinorSchema.nullable(),
});

export const SlipRequestSchema = z.object({
  amountMinor: PositiveAmountMinorSchema,
  ttlMs: z.number().int().positive(),
});

export const SlipSchema = z.object({
  code: z.string(),
  amountMinor: PositiveAmountMinorSchema,
  currency: CurrencyCodeSchema,
  expiresAtMs: z.number().int(),
  /** `cancelled`: the shopper cancelled it before it was used; it starts no deposit. */
  status: z.enum(['open', 'used', 'expired', 'cancelled']),
  createdAtMs: z.number().int(),
});

export const SlipListResponseSchema = z.object({ slips: z.array(SlipSchema) });

export const ClaimRedeemRequestSchema = z.object({ claimCode: ClaimCodeSchema });

/** `exists`: the same shopper redeemed this claim before (a retry); nothing moved this time. */
const redemptionResultSchema = z.enum(['created', 'exists']);

export const ClaimRedeemResponseSchema = z.object({
  result: redemptionResultSchema,
  claimId: z.string(),
  transferId: z.string(),
  amountMinor: PositiveAmountMinorSchema,
  currency: CurrencyCodeSchema,
  status: z.enum(['credited', 'inReview']),
});

export const ReversalRequestSchema = z.object({
  id: UuidV7Schema,
  depositId: UuidV7Schema,
  reason: textSchema(reasonLengthMax),
});

export const ReversalResponseSchema = z.object({
  result: z.enum(['created', 'exists']),
  reversalId: z.string(),
  depositId: z.string(),
  amountMinor: PositiveAmountMinorSchema,
  currency: CurrencyCodeSchema,
  /**
   * Where the money went: `source`, back to the store drawer it came from (the clerk hands the cash back);
   * `suspense`, for a kiosk deposit, whose cash stays in the machine: it waits there under `claimId` until
   * ops assign it to whoever it belongs to (POST /v1/ops/suspense/{claimId}/assignment).
   */
  heldIn: z.enum(['source', 'suspense']),
  claimId: z.string().nullable(),
});

export const CashAccountRequestSchema = z.object({
  kind: z.enum(['storeDrawer', 'kioskBag']),
  ownerRef: textSchema(ownerRefLengthMax),
  currency: CurrencyCodeSchema,
});

export const CashAccountResponseSchema = z.object({ accountId: z.string() });

export const KycRequestSchema = z.object({ tier: KycTierSchema });

/** The text of an offline receipt's QR code (receipt-qr.ts), as a shopper's phone scanned it. */
export const ReceiptRedeemRequestSchema = z.object({ receipt: z.string().min(1).max(400) });

/**
 * A redeemed offline receipt. The money goes where the kiosk deposit would have gone: the wallet of the
 * code on the receipt (which need not be the redeemer's), or, for a voucher, the redeemer's wallet.
 */
export const ReceiptRedeemResponseSchema = z.object({
  result: redemptionResultSchema,
  depositId: z.string(),
  amountMinor: PositiveAmountMinorSchema,
  currency: CurrencyCodeSchema,
  creditedTo: z.enum(['wallet', 'suspense']),
  /** True when the money landed in the redeemer's own wallet. */
  ownWallet: z.boolean(),
  maskedName: z.string().nullable(),
  status: z.enum(['credited', 'inReview', 'suspense']),
});
export type ReceiptRedeemResponse = z.infer<typeof ReceiptRedeemResponseSchema>;
