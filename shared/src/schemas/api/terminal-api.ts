import { z } from 'zod';
import { CurrencyCodeSchema } from '../../money/currency.js';
import { AmountMinorSchema } from '../../money/money.js';
import { UuidV7Schema, uuidV7Pattern } from '../../ids/uuidv7.js';
import { ErrorCodeSchema } from '../../errors/catalogue.js';
import { syncBatchDepositsCeiling } from '../../limits/limits.js';
import { terminalIdPattern } from '../../terminal/request-signature.js';
import { DeviceStatusSchema } from '../devices.js';
import { KioskDepositSchema } from '../kiosk-deposit.js';
import { codeSchema } from '../../codes/code-schema.js';

/**
 * Wire schemas between a kiosk and the server (issue 4): enrollment, signed sync batches and their
 * per-deposit answers, code lookups and heartbeats. Every request but enrollment is signed (see
 * terminal/request-signature.ts).
 */
export const terminalApiPaths = {
  enroll: '/v1/terminal/enroll',
  sync: '/v1/terminal/sync',
  lookup: '/v1/terminal/lookup',
  heartbeat: '/v1/terminal/heartbeat',
} as const;

export const TerminalIdSchema = z.string().regex(terminalIdPattern);

/** An Ed25519 public key as its 32 raw bytes in unpadded base64url (43 characters). */
export const Ed25519PublicKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'expected a raw Ed25519 public key');

/** Server keys a kiosk believes at most: the signing key's and those of a rollover. */
export const serverKeysMax = 4;

/**
 * Every server key a kiosk is to believe, the signing key's first: what lets the server's key be rolled
 * over without enrolling every kiosk again (server config SERVER_TRUSTED_KEYS). In a signed answer, so
 * only a key the kiosk already believes can change the list. Empty from older servers: nothing changes.
 */
export const ServerKeysSchema = z.array(Ed25519PublicKeySchema).max(serverKeysMax).default([]);

export const softwareVersionLengthMax = 40;

export const EnrollRequestSchema = z.object({
  token: z.string().min(16).max(128),
  publicKey: Ed25519PublicKeySchema,
  softwareVersion: z.string().min(1).max(softwareVersionLengthMax),
});

export const EnrollResponseSchema = z.object({
  terminalId: TerminalIdSchema,
  storeId: z.string(),
  currency: CurrencyCodeSchema,
  serverTimeMs: z.number().int(),
  /**
   * The highest deposit sequence number the server holds for this terminal (0 when none). A replaced or
   * reinstalled kiosk starts with an empty journal: it numbers its deposits after this one, so they do
   * not collide with the ones its predecessor synced. (`int()` keeps it a safe integer.)
   */
  sequenceHigh: z.number().int().nonnegative(),
  /**
   * The server's answer-signing key (answerSignatureBase in terminal/request-signature.ts). The kiosk pins
   * it with its identity and from then on believes only answers signed by it (or by `serverKeys`).
   */
  serverPublicKey: Ed25519PublicKeySchema,
  serverKeys: ServerKeysSchema,
});

export const SyncRequestSchema = z.object({
  deposits: z.array(KioskDepositSchema).min(1).max(syncBatchDepositsCeiling),
});
export type SyncRequest = z.infer<typeof SyncRequestSchema>;

/**
 * The answer for one deposit. `created` and `exists` both mean the server holds exactly this deposit: the
 * terminal marks it synced. `conflict` means the server holds a deposit with this id or sequence and
 * different fields: the terminal quarantines it for a person, and never retries it forever.
 */
export const SyncResultSchema = z.discriminatedUnion('status', [
  z.object({
    depositId: UuidV7Schema,
    status: z.literal('created'),
    /** Where the money went: the shopper's wallet, or suspense (unknown or revoked code) with a claim. */
    creditedTo: z.enum(['wallet', 'suspense', 'claim']),
    inReview: z.boolean(),
  }),
  z.object({ depositId: UuidV7Schema, status: z.literal('exists') }),
  z.object({
    depositId: UuidV7Schema,
    status: z.literal('conflict'),
    /** The fields the server holds for this id or sequence, so a person can compare. */
    stored: z.record(z.string(), z.unknown()),
  }),
]);
export type SyncResult = z.infer<typeof SyncResultSchema>;

export const SyncResponseSchema = z.object({
  results: z.array(SyncResultSchema),
  serverTimeMs: z.number().int(),
});
export type SyncResponse = z.infer<typeof SyncResponseSchema>;

export const LookupRequestSchema = z.object({ code: codeSchema(['deposit', 'slip']) });

/** What a kiosk may know about a shopper before taking their cash: a masked name and what still fits. */
export const LookupResponseSchema = z.object({
  maskedName: z.string().max(64),
  currency: CurrencyCodeSchema,
  remainingMinor: AmountMinorSchema,
  /** The wallet balance before this deposit, so the receipt can print the new balance. */
  balanceMinor: AmountMinorSchema.nullable(),
  /** For a payment slip: the exact amount it is bound to. */
  slipAmountMinor: AmountMinorSchema.nullable(),
});
export type LookupResponse = z.infer<typeof LookupResponseSchema>;

export const HeartbeatRequestSchema = z.object({
  softwareVersion: z.string().min(1).max(softwareVersionLengthMax),
  uptimeMs: z.number().int().nonnegative(),
  devices: z.array(DeviceStatusSchema).max(16),
  outbox: z.object({
    depth: z.number().int().nonnegative(),
    unsyncedTotalMinor: AmountMinorSchema,
    oldestUnsyncedAtMs: z.number().int().nullable(),
    /**
     * Deposits set aside on the terminal (a conflict, a refusal of that one deposit, a journal row it cannot
     * read), sent again only when a tech asks from maintenance or ops from the console.
     */
    quarantined: z.number().int().nonnegative(),
    /** What those deposits hold (cash in the bag the server never credited); absent from older terminals. */
    quarantinedTotalMinor: AmountMinorSchema.optional(),
    lastSequence: z.number().int().nonnegative(),
  }),
  bag: z.object({
    currency: CurrencyCodeSchema,
    totalMinor: AmountMinorSchema,
    coinCount: z.number().int().nonnegative(),
    billCount: z.number().int().nonnegative(),
  }),
  lastError: ErrorCodeSchema.nullable(),
  /**
   * What came of the last request from ops to send the set-aside deposits again, carried in every heartbeat
   * until an answer no longer names that request (the server has recorded it). Absent when there is none
   * to report, and from older terminals.
   */
  setAsideRetried: z
    .object({
      requestId: z.string().regex(uuidV7Pattern),
      /** Set-aside deposits put back in the queue. */
      requeued: z.number().int().nonnegative(),
      /** Deposits the sync round after it sent and the server took. */
      synced: z.number().int().nonnegative(),
      /** Deposits that round set aside again (the server still could not take them). */
      setAsideAgain: z.number().int().nonnegative(),
      /** Why the round stopped early (the server unreachable, say); null when it ran through. */
      errorCode: ErrorCodeSchema.nullable(),
    })
    .optional(),
  /**
   * The server keys the kiosk believes now (its pinned list), so ops can see when every kiosk holds the
   * next key of a rollover. Absent from older terminals and from those enrolled before answers were signed.
   */
  serverKeys: z.array(Ed25519PublicKeySchema).max(serverKeysMax).optional(),
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequestSchema>;
export type SetAsideRetryReport = NonNullable<HeartbeatRequest['setAsideRetried']>;

export const HeartbeatResponseSchema = z.object({
  serverTimeMs: z.number().int(),
  /** Ops disabled the terminal: it stops taking money and shows why. */
  disabled: z.boolean(),
  /**
   * Ops asked the kiosk to send its set-aside deposits again (from the console, with no tech on site):
   * the kiosk does it once per request id and reports in `setAsideRetried`. Null when nothing is asked;
   * absent from older servers. (A pattern, not UuidV7Schema, whose brand cannot be encoded in an answer.)
   */
  retrySetAside: z
    .object({ requestId: z.string().regex(uuidV7Pattern) })
    .nullable()
    .default(null),
  serverKeys: ServerKeysSchema,
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponseSchema>;
