import type { Code, CurrencyCode } from '@cashin/shared';
import { CodedError, codeTypeOf, maskCode, moneyLimitsFor } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import { claimCodeFor, claimCodeHash } from '../claims/claim-code.js';
import { resolveDepositCode } from '../codes/deposit-codes.js';
import type { SlipRefusal } from '../codes/slips.js';
import { slipRefusal } from '../codes/slips.js';
import type { Deps } from '../deps.js';
import { ensureSystemAccount, findAccount } from '../ledger/accounts.js';
import { createTransfers } from '../ledger/ledger.js';
import { capRemainingMinor, depositRefusal, findWalletCaps } from '../family/wallet-caps.js';
import {
  allowance,
  needsCashReport,
  rollingDayMs,
  rollingMonthMs,
  walletUsage,
} from '../limits/allowance.js';
import { secretsEqual } from '../secrets/hash.js';
import type { Shopper } from '../shoppers/shoppers.js';
import { findShopper, maskedName } from '../shoppers/shoppers.js';
import { CallBatcher } from '../storage/call-batcher.js';
import type { Db, SqlValue, Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
import { SqliteDb } from '../storage/sqlite/sqlite-db.js';
import type { DepositRecord, DepositStatus, ReviewReason } from './deposit-record.js';
import { findDeposit, insertDeposit } from './deposit-record.js';
import type { FastDepositItem } from './sqlite-fast-deposit.js';
import { cashSourceKinds, codeHash, sqliteFastDeposit } from './sqlite-fast-deposit.js';

export { codeHash } from './sqlite-fast-deposit.js';

/** The module the SQLite writer thread loads the fast deposit from. */
const sqliteFastDepositUrl = new URL('./sqlite-fast-deposit.ts', import.meta.url).href;

/**
 * Readies the deposit path before a server takes traffic: on SQLite, starts the writer thread with the fast
 * deposit loaded (otherwise the first deposits wait for the thread to compile its imports).
 */
export async function prepareDepositPath(db: Db): Promise<void> {
  if (db instanceof SqliteDb) await db.startWriter(sqliteFastDepositUrl);
}

/** What issue 4's till commit and kiosk sync hand over, and what POST /v1/deposits takes. */
export interface CreditDepositInput {
  /** Chosen by whoever first recorded the cash (till authorization id, kiosk deposit id): UUIDv7. */
  readonly id: string;
  /** A shopper deposit code or a payment slip code. */
  readonly code: Code;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  /** The store drawer or kiosk bag that now holds the cash. */
  readonly sourceAccountId: string;
  /** True when the cash is already physically taken (a kiosk synced late): never refuse, flag instead. */
  readonly cashAlreadyTaken: boolean;
  /**
   * When the code was taken with the cash, if that was before now (a kiosk deposit synced late): a deposit
   * code rotated since is judged as it stood then, so cash taken while it was active, or in its rotation
   * grace, still reaches its wallet instead of suspense. Now when absent.
   */
  readonly codeTakenAtMs?: number;
}

export interface DepositReceipt {
  readonly result: 'created' | 'exists';
  readonly depositId: string;
  readonly status: DepositStatus;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly codeMasked: string;
  readonly maskedName: string | null;
  readonly reviewReason: ReviewReason | null;
  readonly cashReportFlagged: boolean;
  /** Present when the money went to suspense: printed on the receipt so the shopper can claim it. */
  readonly claimCode: Code | null;
  readonly createdAtMs: number;
}

type Target =
  | { kind: 'wallet'; shopper: Shopper; reviewReason: ReviewReason | null; slipCode: Code | null }
  | { kind: 'suspense'; reviewReason: ReviewReason };

/**
 * Credits one deposit exactly once. Every refusal happens before anything is written (and, at a till,
 * before the clerk takes the cash). When the cash is already taken nothing is refused: a limit overrun is
 * credited for review, and an unknown or revoked code sends the money to suspense with a claim code.
 */
export async function creditDeposit(deps: Deps, input: CreditDepositInput): Promise<DepositReceipt> {
  const nowMs = deps.clock.nowMs();
  if (deps.db.dialect === 'postgres') {
    const fast = await postgresBatchedDeposit(deps, input);
    if (fast !== undefined) return fast;
  }
  const sqlite = deps.db instanceof SqliteDb ? deps.db : undefined;
  const fastItem = sqlite === undefined ? undefined : sqliteFastItem(deps, input, nowMs);
  let fastInUnit = fastItem !== undefined;
  if (sqlite !== undefined && fastItem !== undefined) {
    const inWriter = sqlite.runInWriter(sqliteFastDepositUrl, sqliteFastDeposit, fastItem);
    if (inWriter !== undefined) {
      const fast = await inWriter;
      if (fast.outcome === 'created') return receipt('created', deps, fast.record, fast.shopperName);
      // The writer declined and wrote nothing: the general path below decides, in one unit.
      fastInUnit = false;
    }
  }
  return deps.db.transaction(async (tx) => {
    if (sqlite !== undefined && fastItem !== undefined && fastInUnit) {
      const fast = sqliteFastDeposit((sql) => sqlite.statement(sql), fastItem);
      if (fast.outcome === 'created') return receipt('created', deps, fast.record, fast.shopperName);
    }
    const prior = await findDeposit(tx, input.id);
    if (prior !== undefined) return replay(tx, deps, input, prior);

    const source = await findAccount(tx, input.sourceAccountId);
    if (source === undefined || !cashSourceKinds.has(source.kind)) {
      throw new CodedError('NOT_FOUND', { field: 'sourceAccountId' });
    }
    if (source.currency !== input.currency)
      throw new CodedError('CURRENCY_MISMATCH', { field: 'sourceAccountId' });

    const target = await resolveTarget(tx, deps, input, nowMs);
    let creditAccountId: string;
    let cashReportFlag = false;
    if (target.kind === 'wallet') {
      creditAccountId = target.shopper.walletAccountId;
      // Deposits into one wallet are weighed one after the other: on PostgreSQL the wallet's account row
      // is locked before its usage is counted, so a concurrent deposit waits here and then counts this
      // one (READ COMMITTED gives each later statement a fresh snapshot). Without the lock, racers all
      // read the same usage and pass the limits together. The order is the other paths': wallet row,
      // then its caps row, then its audit chain head. SQLite has one writer and needs no lock.
      if (tx.dialect === 'postgres') {
        await tx.get(`SELECT id FROM accounts WHERE id = ?${forUpdate(tx.dialect)}`, [creditAccountId]);
      }
      const caps = await findWalletCaps(tx, creditAccountId, true);
      const usage = await walletUsage(tx, creditAccountId, nowMs);
      const allowed = allowance(deps.limits, input.currency, target.shopper.kycTier, usage);
      const refusal = depositRefusal(allowed, capRemainingMinor(caps, usage), input.amountMinor);
      if (refusal !== undefined) {
        if (!input.cashAlreadyTaken) throw refusal;
        target.reviewReason ??=
          refusal.code === 'FAMILY_CAP_EXCEEDED' ? 'familyCapExceeded' : 'limitExceeded';
      }
      cashReportFlag = needsCashReport(deps.limits, input.currency, usage, input.amountMinor);
    } else {
      creditAccountId = await ensureSystemAccount(tx, 'suspense', input.currency, deps.newId, nowMs);
    }

    const [result] = await createTransfers(
      tx,
      [
        {
          id: input.id,
          debitAccountId: input.sourceAccountId,
          creditAccountId,
          amountMinor: input.amountMinor,
          currency: input.currency,
          code: target.kind === 'wallet' ? 'deposit' : 'depositToSuspense',
        },
      ],
      nowMs,
    );
    if (result === 'exists' || result === 'existsWithDifferentFields') {
      // A concurrent request with the same id committed first (PostgreSQL waited on its row lock).
      const raced = await findDeposit(tx, input.id);
      if (raced === undefined) throw new CodedError('IDEMPOTENCY_CONFLICT');
      return replay(tx, deps, input, raced);
    }
    if (result !== 'created') throw new Error(`a checked deposit transfer failed: ${String(result)}`);

    if (target.kind === 'wallet' && target.slipCode !== null) {
      const used = await tx.run(
        'UPDATE slips SET used_transfer_id = ? WHERE code = ? AND used_transfer_id IS NULL',
        [input.id, target.slipCode],
      );
      // The slip was read unused under its row lock; another deposit taking it since is impossible, and
      // crediting this one too would spend the one-use slip twice without anyone looking.
      if (used === 0) throw new Error('a locked unused payment slip was used by another deposit');
    }

    let claimId: string | null = null;
    if (target.kind === 'suspense') {
      claimId = deps.newId();
      await tx.run(
        `INSERT INTO claims (id, code_hash, amount_minor, currency, deposit_transfer_id, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [
          claimId,
          claimCodeHash(deps.claimCodeSecret, claimCodeFor(deps.claimCodeSecret, input.id)),
          input.amountMinor,
          input.currency,
          input.id,
          nowMs,
        ],
      );
    }

    const record: DepositRecord = {
      transferId: input.id,
      shopperId: target.kind === 'wallet' ? target.shopper.id : null,
      walletAccountId: target.kind === 'wallet' ? creditAccountId : null,
      codeHash: codeHash(input.code),
      codeMasked: maskCode(input.code),
      amountMinor: input.amountMinor,
      currency: input.currency,
      sourceAccountId: input.sourceAccountId,
      cashAlreadyTaken: input.cashAlreadyTaken,
      status:
        target.kind === 'suspense' ? 'suspense' : target.reviewReason !== null ? 'inReview' : 'credited',
      reviewReason: target.reviewReason,
      cashReportFlag,
      claimId,
      createdAtMs: nowMs,
    };
    await insertDeposit(tx, record);
    await appendAudit(
      tx,
      {
        kind: target.kind === 'wallet' ? 'deposit.credited' : 'deposit.suspense',
        // Money in suspense is recorded on its claim's own chain: on the suspense account's chain, every
        // unknown-code deposit in the network would queue on one head row (see suspense-deposit.ts).
        subject: claimId ?? creditAccountId,
        data: {
          depositId: input.id,
          code: record.codeMasked,
          amountMinor: input.amountMinor,
          currency: input.currency,
          source: input.sourceAccountId,
          status: record.status,
        },
      },
      nowMs,
    );
    return receipt('created', deps, record, target.kind === 'wallet' ? target.shopper.name : null);
  });
}

/** What a deposit of cash already taken is held for review for when its slip refused it. */
const slipReviewReasons: Record<SlipRefusal, ReviewReason> = {
  CODE_USED: 'slipUsed',
  CODE_CANCELLED: 'slipCancelled',
  CODE_EXPIRED: 'slipExpired',
};

async function resolveTarget(tx: Tx, deps: Deps, input: CreditDepositInput, nowMs: number): Promise<Target> {
  const taken = input.cashAlreadyTaken;
  const refuseOrSuspend = (
    code: 'CODE_UNKNOWN' | 'CODE_REVOKED' | 'CURRENCY_MISMATCH',
    reason: ReviewReason,
  ): Target => {
    if (!taken) throw new CodedError(code);
    return { kind: 'suspense', reviewReason: reason };
  };
  let shopperId: string;
  let reviewReason: ReviewReason | null = null;
  let slipCode: Code | null = null;
  if (codeTypeOf(input.code) === 'slip') {
    const slip = await tx.get<{
      shopper_id: string;
      amount_minor: number;
      expires_at_ms: number;
      used_transfer_id: string | null;
      cancelled_at_ms: number | null;
    }>(
      // Locked (PostgreSQL): deposits racing for one slip take it one after the other, so every later one
      // sees it used and is refused, or, with the cash taken, held for review, never credited as well.
      // The shopper's cancel locks it too (slips.ts), so a deposit sees it cancelled or not, never between.
      `SELECT shopper_id, amount_minor, expires_at_ms, used_transfer_id, cancelled_at_ms FROM slips WHERE code = ?${forUpdate(tx.dialect)}`,
      [input.code],
    );
    if (slip === undefined) return refuseOrSuspend('CODE_UNKNOWN', 'codeUnknown');
    shopperId = slip.shopper_id;
    const refusal = slipRefusal(slip, nowMs);
    const problem: [ReviewReason, SlipRefusal | 'AMOUNT_MISMATCH'] | undefined =
      refusal !== undefined
        ? [slipReviewReasons[refusal], refusal]
        : Number(slip.amount_minor) !== input.amountMinor
          ? ['slipAmountMismatch', 'AMOUNT_MISMATCH']
          : undefined;
    if (problem !== undefined) {
      if (!taken) throw new CodedError(problem[1]);
      reviewReason = problem[0];
    } else {
      slipCode = input.code;
    }
  } else {
    const resolved = await resolveDepositCode(
      tx,
      input.code,
      input.codeTakenAtMs !== undefined && Number.isFinite(input.codeTakenAtMs)
        ? Math.min(nowMs, input.codeTakenAtMs)
        : nowMs,
      deps.limits.system.codeRotationGraceMs,
    );
    if (resolved === undefined) return refuseOrSuspend('CODE_UNKNOWN', 'codeUnknown');
    if (resolved.state === 'revoked') return refuseOrSuspend('CODE_REVOKED', 'codeRevoked');
    shopperId = resolved.shopperId;
  }
  const shopper = await findShopper(tx, shopperId);
  if (shopper === undefined) throw new Error('a code points at a shopper that does not exist');
  if (shopper.currency !== input.currency) return refuseOrSuspend('CURRENCY_MISMATCH', 'currencyMismatch');
  return { kind: 'wallet', shopper, reviewReason, slipCode };
}

/** A second request with the same id: the first answer if every field matches, else a coded conflict. */
async function replay(
  tx: Tx,
  deps: Deps,
  input: CreditDepositInput,
  prior: DepositRecord,
): Promise<DepositReceipt> {
  const same =
    secretsEqual(prior.codeHash, codeHash(input.code)) &&
    prior.amountMinor === input.amountMinor &&
    prior.currency === input.currency &&
    prior.sourceAccountId === input.sourceAccountId &&
    prior.cashAlreadyTaken === input.cashAlreadyTaken;
  if (!same) throw new CodedError('IDEMPOTENCY_CONFLICT', { depositId: input.id });
  const shopper = prior.shopperId === null ? undefined : await findShopper(tx, prior.shopperId);
  return receipt('exists', deps, prior, shopper?.name ?? null);
}

function receipt(
  result: 'created' | 'exists',
  deps: Deps,
  record: DepositRecord,
  shopperName: string | null,
): DepositReceipt {
  return {
    result,
    depositId: record.transferId,
    status: record.status,
    amountMinor: record.amountMinor,
    currency: record.currency,
    codeMasked: record.codeMasked,
    maskedName: record.shopperId === null ? null : maskedName(shopperName),
    reviewReason: record.reviewReason,
    cashReportFlagged: record.cashReportFlag,
    claimCode: record.claimId === null ? null : claimCodeFor(deps.claimCodeSecret, record.transferId),
    createdAtMs: record.createdAtMs,
  };
}

/**
 * Deposits per batched call on PostgreSQL. The call is one statement (migration 230's set-based function),
 * whose cost grows with the batch by its rows alone.
 */
export const postgresDepositsPerCallMax = 64;

/**
 * Batched calls one process keeps in flight. Each is one transaction on one connection, so more than one
 * lets PostgreSQL use a second core and execute a batch while another waits for its WAL flush; many more
 * would split the waiting deposits into small batches, each paying a flush and the batch's fixed statements
 * (measured at 32 clients: four in flight made batches of 5.3 deposits and cost 247 us of PostgreSQL CPU
 * per deposit, two made larger ones and cost 222). A batch locks wallet rows,
 * then audit chain heads, each in id order, so batches in flight together cannot deadlock.
 */
export const postgresDepositCallsInFlightMax = 2;

/**
 * Deposits that may wait for a batched call on PostgreSQL, as groupCommitQueueUnitsMax bounds SQLite's
 * queue: past it the server is overloaded and a new deposit is refused at once (SERVICE_UNAVAILABLE).
 */
export const postgresDepositQueueItemsMax = 10_000;

/** Attempts at a batch PostgreSQL aborted as a deadlock or serialization failure (it rolled back whole). */
const postgresBatchAttemptsMax = 3;

interface BatchItem {
  readonly input: CreditDepositInput;
  readonly limits: Deps['limits'];
}

interface BatchRow extends Record<string, unknown> {
  item: number;
  shopper_name: string | null;
  status: 'credited' | 'inReview';
  review_reason: ReviewReason | null;
  cash_report: number;
}

/** A deposit the batch credited, at the batch's time; undefined in its place when it wrote nothing. */
interface BatchCredit {
  readonly row: BatchRow;
  readonly createdAtMs: number;
}

const batchers = new WeakMap<Db, CallBatcher<BatchItem, BatchCredit | undefined>>();

function batcherFor(db: Db, clock: Deps['clock']): CallBatcher<BatchItem, BatchCredit | undefined> {
  let batcher = batchers.get(db);
  if (batcher === undefined) {
    batcher = new CallBatcher(
      (items) => runDepositBatch(db, clock, items),
      postgresDepositsPerCallMax,
      postgresDepositCallsInFlightMax,
      postgresDepositQueueItemsMax,
    );
    batchers.set(db, batcher);
  }
  return batcher;
}

/**
 * One transaction, one round trip and one COMMIT for every deposit in `items` (migration 230's function,
 * which credits the common ones and leaves the rest). Answers one entry per item, in order: undefined for
 * an item the function left. A batch that failed for anything but a deadlock (retried whole) is run again
 * one deposit at a time, in order, so a deposit that fails fails alone (undefined: the general path then
 * decides it) and a later copy of an id in the batch finds the first one credited.
 */
async function runDepositBatch(
  db: Db,
  clock: Deps['clock'],
  items: readonly BatchItem[],
): Promise<(BatchCredit | undefined)[]> {
  const whole = await tryDepositBatch(db, clock, items);
  if (whole !== undefined || items.length === 1) return whole ?? [undefined];
  const alone: (BatchCredit | undefined)[] = [];
  for (const item of items) alone.push((await tryDepositBatch(db, clock, [item]))?.[0]);
  return alone;
}

/** runDepositBatch's call, retried on a deadlock; undefined when it failed otherwise (nothing written). */
async function tryDepositBatch(
  db: Db,
  clock: Deps['clock'],
  items: readonly BatchItem[],
): Promise<(BatchCredit | undefined)[] | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    const nowMs = clock.nowMs();
    try {
      const rows = await callDepositBatch(db, items, nowMs);
      const byItem: (BatchCredit | undefined)[] = items.map(() => undefined);
      for (const row of rows) byItem[row.item - 1] = { row, createdAtMs: nowMs };
      return byItem;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const retryable = code === '40P01' || code === '40001';
      if (!retryable || attempt >= postgresBatchAttemptsMax) return undefined;
    }
  }
}

/** The batch function called as its own transaction: one round trip, no BEGIN or COMMIT of its own. */
function callDepositBatch(db: Db, items: readonly BatchItem[], nowMs: number): Promise<BatchRow[]> {
  const column = <V>(pick: (item: BatchItem) => V): V[] => items.map(pick);
  const money = (item: BatchItem) => moneyLimitsFor(item.limits, item.input.currency);
  return db.single<BatchRow>(
    'SELECT * FROM cashin_credit_deposit_batch(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      column((item) => item.input.id),
      column((item) => item.input.code),
      column((item) => codeHash(item.input.code)),
      column((item) => maskCode(item.input.code)),
      column((item) => item.input.amountMinor),
      column((item) => item.input.currency),
      column((item) => item.input.sourceAccountId),
      column((item) => (item.input.cashAlreadyTaken ? 1 : 0)),
      nowMs,
      // One grace for the batch: every deposit of a process is weighed against the same limits.
      items[0]?.limits.system.codeRotationGraceMs ?? 0,
      rollingDayMs,
      rollingMonthMs,
      column((item) => money(item).tiers[0].walletDailyMaxMinor),
      column((item) => money(item).tiers[0].walletMonthlyMaxMinor),
      column((item) => money(item).tiers[0].walletDepositsPerDayMax),
      column((item) => money(item).tiers[1].walletDailyMaxMinor),
      column((item) => money(item).tiers[1].walletMonthlyMaxMinor),
      column((item) => money(item).tiers[1].walletDepositsPerDayMax),
      column((item) => money(item).cashReportThresholdMinor),
    ] as unknown as SqlValue[],
  );
}

/**
 * The common deposit on PostgreSQL, group-committed with the deposits that arrive while an earlier batch
 * is in flight. Answers undefined when the batch did not credit it (it then wrote nothing for this
 * deposit) and the general path must run. The answer is released only after the batch's COMMIT returned.
 */
async function postgresBatchedDeposit(
  deps: Deps,
  input: CreditDepositInput,
): Promise<DepositReceipt | undefined> {
  if (codeTypeOf(input.code) !== 'deposit') return undefined;
  const batched = await batcherFor(deps.db, deps.clock).submit({ input, limits: deps.limits });
  if (batched === undefined) return undefined;
  const { row } = batched;
  return {
    result: 'created',
    depositId: input.id,
    status: row.status,
    amountMinor: input.amountMinor,
    currency: input.currency,
    codeMasked: maskCode(input.code),
    maskedName: maskedName(row.shopper_name),
    reviewReason: row.review_reason,
    cashReportFlagged: row.cash_report === 1,
    claimCode: null,
    createdAtMs: batched.createdAtMs,
  };
}

/** The common deposit as plain data for SQLite's fast path, or undefined when it cannot be one. */
function sqliteFastItem(deps: Deps, input: CreditDepositInput, nowMs: number): FastDepositItem | undefined {
  if (codeTypeOf(input.code) !== 'deposit') return undefined;
  return {
    id: input.id,
    code: input.code,
    amountMinor: input.amountMinor,
    currency: input.currency,
    sourceAccountId: input.sourceAccountId,
    cashAlreadyTaken: input.cashAlreadyTaken,
    nowMs,
    codeRotationGraceMs: deps.limits.system.codeRotationGraceMs,
    money: moneyLimitsFor(deps.limits, input.currency),
  };
}
