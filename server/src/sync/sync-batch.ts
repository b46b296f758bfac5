import type { Code, KioskDeposit, SyncResult } from '@cashin/shared';
import { CodedError, codeTypeOf, parseCode } from '@cashin/shared';
import { alertSequences, raiseOrUpdateAlert } from '../alerts/alerts.js';
import type { CodeWallet } from '../deposits/credit-taken-cash-in-bulk.js';
import { creditTakenCashInBulk, walletsOfCodes } from '../deposits/credit-taken-cash-in-bulk.js';
import type { Deps } from '../deps.js';
import { findAccount } from '../ledger/accounts.js';
import { existingTransferIds } from '../ledger/ledger.js';
import type { Tx } from '../storage/db.js';
import { UnitFailedWithoutSavepoint } from '../storage/tx-view.js';
import { consumeNonce } from '../terminals/nonces.js';
import type { TerminalCaller } from '../terminals/request-verification.js';
import { signingKeyNow } from '../terminals/request-verification.js';
import type { TerminalRecord } from '../terminals/terminal-record.js';
import { lockTerminal } from '../terminals/terminal-record.js';
import type { KioskCredit, NewKioskDeposit, StoredKioskDeposit } from './kiosk-deposits.js';
import {
  creditKioskMoney,
  findKioskDeposits,
  findKioskDepositsBySequence,
  holdForReview,
  insertKioskDeposits,
  reviewFlags,
  storedDepositJson,
  storedFields,
  storedSignedPayload,
} from './kiosk-deposits.js';
import { recordSequences } from './sequence-gaps.js';

/**
 * Attempts at a batch whose transaction PostgreSQL aborted as a deadlock or serialization failure (two
 * batches crediting the same wallets in different orders). The batch rolled back whole, so a retry is safe.
 */
export const syncBatchAttemptsMax = 3;

const retryablePostgresCodes = new Set(['40P01', '40001']);

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && retryablePostgresCodes.has(code);
}

/** A deposit of the batch the server has never seen: its money moves in this batch. */
interface Fresh {
  readonly index: number;
  readonly deposit: KioskDeposit;
  /** storedDepositJson(deposit): what is stored, compared and answered for it. */
  readonly fieldsJson: string;
  readonly flags: string | null;
  /** Set once its money moved (or it turned out to conflict). */
  result?: SyncResult;
  credit?: KioskCredit;
}

/** The same deposit id again later in one batch: answered against its first copy once that is decided. */
interface Repeat {
  readonly index: number;
  readonly deposit: KioskDeposit;
  readonly fieldsJson: string;
  readonly first: Fresh;
}

/**
 * Answers a signed sync batch (see runBatch), retrying it whole when PostgreSQL aborted it as a deadlock.
 */
export async function syncBatch(
  deps: Deps,
  caller: TerminalCaller,
  deposits: readonly KioskDeposit[],
): Promise<SyncResult[]> {
  // First without a savepoint per deposit (the common batch, where every credit succeeds); if any
  // one-by-one credit fails, that attempt rolls back whole and the batch runs again with savepoints, where
  // a failing deposit is undone alone and answered as a conflict.
  let viewMode: 'direct' | 'savepoints' = 'direct';
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await deps.db.transaction((tx) => runBatch(tx, deps, caller, deposits, viewMode));
    } catch (error) {
      if (error instanceof UnitFailedWithoutSavepoint && viewMode === 'direct') {
        viewMode = 'savepoints';
        continue;
      }
      if (attempt >= syncBatchAttemptsMax || !isRetryable(error)) throw error;
    }
  }
}

/**
 * One signed sync batch, in one database transaction: the request's nonce, every deposit and the
 * terminal's sequence bookkeeping commit together or not at all. Per deposit, by id:
 * - unseen: its money moves (kiosk bag -> wallet, or suspense) and the deposit is kept, items and
 *   timestamps included; answer `created`;
 * - seen with exactly these fields: nothing moves; answer `exists`;
 * - seen with other fields, or its sequence number already taken by another deposit id, or its id already
 *   a transfer of something else: nothing moves; answer `conflict` with the fields the server holds;
 * - known only from its redeemed offline receipt: `exists` if the receipt's signed fields match (the
 *   money moved at redemption), else `conflict`.
 *
 * The batch is set-based, so its cost barely grows with its size: the stored deposits, sequence numbers,
 * ledger ids and code wallets of the whole batch are each read in one query, and the common deposit (an
 * active shopper deposit code) is credited by the batch ledger path (credit-taken-cash-in-bulk.ts) in a
 * fixed number of multi-row statements. The rest (vouchers, payment slips, unknown or revoked codes,
 * empty deposits) go one by one through creditKioskMoney first, so the bulk path's limit check sees them.
 */
async function runBatch(
  tx: Tx,
  deps: Deps,
  caller: TerminalCaller,
  deposits: readonly KioskDeposit[],
  viewMode: 'direct' | 'savepoints',
): Promise<SyncResult[]> {
  const nowMs = deps.clock.nowMs();
  await consumeNonce(tx, caller.terminalId, caller.parts.nonce, nowMs);
  const terminal = await lockTerminal(tx, caller.terminalId);
  if (terminal === undefined) throw new CodedError('TERMINAL_UNKNOWN');
  // The signing key as it stands under the terminal's lock: a key ops revoked since the signature was
  // verified moves nothing (TERMINAL_KEY_REVOKED, and the whole batch rolls back). A batch signed with a
  // retired key (a replaced device handing over what it took) is taken, every new deposit of it held for a
  // person to look at: the key may be in other hands than the kiosk's.
  const { retiredAtMs } = await signingKeyNow(tx, terminal, caller);
  const serverFlags = retiredAtMs === null ? [] : (['retiredKey'] as const);
  // Code order, as the one-at-a-time path credited: deposits to one wallet are checked in this order.
  const order = deposits
    .map((deposit, index) => ({ deposit, index }))
    .sort((a, b) => {
      const left = a.deposit.code ?? a.deposit.claimCode ?? '';
      const right = b.deposit.code ?? b.deposit.claimCode ?? '';
      return left < right ? -1 : left > right ? 1 : a.index - b.index;
    });
  const ids = deposits.map((deposit) => deposit.depositId);
  const known = await findKioskDeposits(tx, ids);
  // Only a deposit the server does not hold by id can collide on its sequence number or with a ledger id:
  // a re-sent batch (every id known) reads nothing more.
  const unknown = deposits.filter((deposit) => !known.has(deposit.depositId));
  const bySequence = await findKioskDepositsBySequence(
    tx,
    terminal.id,
    unknown.map((deposit) => deposit.sequence),
  );
  const inLedger = await existingTransferIds(
    tx,
    unknown.map((deposit) => deposit.depositId),
  );

  const conflicts: number[] = [];
  const results: SyncResult[] = new Array<SyncResult>(deposits.length);
  const fresh: Fresh[] = [];
  const freshById = new Map<string, Fresh>();
  const freshBySequence = new Map<number, Fresh>();
  const repeats: Repeat[] = [];
  for (const { deposit, index } of order) {
    const { depositId } = deposit;
    // Compared, stored and answered in its stored form: a voucher's claim code never in clear.
    const fieldsJson = storedDepositJson(deps.claimCodeSecret, deposit);
    const conflict = (stored: Record<string, unknown>): SyncResult => {
      conflicts.push(deposit.sequence);
      return { depositId, status: 'conflict', stored };
    };
    const first = freshById.get(depositId);
    if (first !== undefined) {
      repeats.push({ index, deposit, fieldsJson, first });
      continue;
    }
    const stored = known.get(depositId);
    if (stored !== undefined) {
      results[index] = await answerKnown(
        tx,
        terminal.id,
        deposit,
        fieldsJson,
        stored,
        nowMs,
        known,
        conflict,
        serverFlags,
        deps.claimCodeSecret,
      );
      continue;
    }
    const sameSequence = freshBySequence.get(deposit.sequence);
    if (sameSequence !== undefined) {
      results[index] = conflict(JSON.parse(sameSequence.fieldsJson) as Record<string, unknown>);
      continue;
    }
    const taken = bySequence.get(deposit.sequence);
    if (taken !== undefined) {
      results[index] = conflict(storedFields(taken));
      continue;
    }
    if (deposit.currency !== terminal.currency) {
      results[index] = conflict({ reason: 'currencyMismatch', terminalCurrency: terminal.currency });
      continue;
    }
    // The deposit id is already a transfer of something else (never a kiosk's own, which would be in
    // kiosk_deposits): nothing is written for it; a person must look.
    if (inLedger.has(depositId)) {
      results[index] = conflict({ reason: 'IDEMPOTENCY_CONFLICT' });
      continue;
    }
    const entry: Fresh = { index, deposit, fieldsJson, flags: reviewFlags(deposit.flags, serverFlags) };
    fresh.push(entry);
    freshById.set(depositId, entry);
    freshBySequence.set(deposit.sequence, entry);
  }

  const wallets = await walletsForBulk(tx, deps, terminal, fresh, nowMs);
  const bulk: { entry: Fresh; wallet: CodeWallet }[] = [];
  for (const entry of fresh) {
    const wallet = entry.deposit.code === null ? undefined : wallets.get(entry.deposit.code as Code);
    if (wallet !== undefined) {
      bulk.push({ entry, wallet });
      continue;
    }
    let credit: KioskCredit;
    try {
      credit = await creditKioskMoney(tx, deps, terminal, entry.deposit, nowMs, viewMode);
    } catch (error) {
      if (!(error instanceof CodedError)) throw error;
      conflicts.push(entry.deposit.sequence);
      entry.result = {
        depositId: entry.deposit.depositId,
        status: 'conflict',
        stored: { reason: error.code },
      };
      continue;
    }
    if (entry.flags !== null && credit.creditedTo === 'wallet')
      await holdForReview(tx, entry.deposit.depositId);
    entry.credit = credit;
  }
  const bulkCredits = await creditTakenCashInBulk(
    tx,
    deps,
    { accountId: terminal.bagAccountId, currency: terminal.currency },
    bulk.map(({ entry, wallet }) => ({
      id: entry.deposit.depositId,
      code: entry.deposit.code as Code,
      amountMinor: entry.deposit.totalMinor,
      wallet,
      heldForReview: entry.flags !== null,
    })),
    nowMs,
  );
  bulk.forEach(({ entry, wallet }, position) => {
    const credited = bulkCredits[position];
    if (credited === undefined) throw new Error('the bulk path answered fewer credits than deposits');
    entry.credit = {
      creditedTo: 'wallet',
      inReview: credited.reviewReason !== null,
      shopperId: wallet.shopperId,
      maskedName: null,
      status: credited.reviewReason !== null ? 'inReview' : 'credited',
    };
  });

  const recorded: NewKioskDeposit[] = [];
  const lostEvents: number[] = [];
  let highest = 0;
  for (const entry of fresh) {
    const { deposit, credit } = entry;
    if (credit === undefined) continue;
    recorded.push({
      depositId: deposit.depositId,
      terminalId: terminal.id,
      sequence: deposit.sequence,
      fieldsJson: entry.fieldsJson,
      signed: deposit,
      credit,
      reviewFlags: entry.flags,
      source: 'sync',
      receiptRedeemedBy: null,
    });
    if (deposit.flags.lostEvents) lostEvents.push(deposit.sequence);
    highest = Math.max(highest, deposit.sequence);
    entry.result = {
      depositId: deposit.depositId,
      status: 'created',
      creditedTo: credit.creditedTo === 'nothing' ? 'wallet' : credit.creditedTo,
      inReview: credit.inReview || entry.flags !== null,
    };
  }
  await insertKioskDeposits(tx, deps.claimCodeSecret, recorded, nowMs);
  for (const entry of fresh) results[entry.index] = entry.result!;
  for (const repeat of repeats) {
    const first = repeat.first.result!;
    if (first.status === 'created' && repeat.fieldsJson === repeat.first.fieldsJson) {
      results[repeat.index] = { depositId: repeat.deposit.depositId, status: 'exists' };
    } else {
      conflicts.push(repeat.deposit.sequence);
      results[repeat.index] = {
        depositId: repeat.deposit.depositId,
        status: 'conflict',
        stored:
          first.status === 'conflict'
            ? first.stored
            : (JSON.parse(repeat.first.fieldsJson) as Record<string, unknown>),
      };
    }
  }

  await recordSequences(tx, deps, terminal, { count: recorded.length, highest }, nowMs);
  if (lostEvents.length > 0) {
    await raiseOrUpdateAlert(
      tx,
      deps,
      {
        terminalId: terminal.id,
        storeId: terminal.storeId,
        facts: { kind: 'lostCoinEvents', ...alertSequences(lostEvents) },
      },
      nowMs,
    );
  }
  if (conflicts.length > 0) {
    await raiseOrUpdateAlert(
      tx,
      deps,
      {
        terminalId: terminal.id,
        storeId: terminal.storeId,
        facts: { kind: 'syncConflict', ...alertSequences(conflicts) },
      },
      nowMs,
    );
  }
  return results;
}

/**
 * A deposit id the server already holds. Same fields: `exists`. Known only from its redeemed receipt: the
 * money moved then; if the signed fields match, the sync completes the record (and `known` with it, for a
 * repeat later in the batch). Both comparisons are between stored forms (storedDepositJson,
 * storedSignedPayload), which keep a voucher's claim code only as its hash.
 */
async function answerKnown(
  tx: Tx,
  terminalId: string,
  deposit: KioskDeposit,
  fieldsJson: string,
  known: StoredKioskDeposit,
  nowMs: number,
  knownById: Map<string, StoredKioskDeposit>,
  conflict: (stored: Record<string, unknown>) => SyncResult,
  serverFlags: Parameters<typeof reviewFlags>[1],
  claimCodeSecret: string,
): Promise<SyncResult> {
  const { depositId } = deposit;
  if (known.terminalId !== terminalId) return conflict({ terminalId: known.terminalId });
  if (known.fieldsJson !== null) {
    return known.fieldsJson === fieldsJson ? { depositId, status: 'exists' } : conflict(storedFields(known));
  }
  if (known.signedPayload !== storedSignedPayload(claimCodeSecret, terminalId, deposit))
    return conflict(storedFields(known));
  const flags = reviewFlags(deposit.flags, serverFlags);
  await tx.run(
    'UPDATE kiosk_deposits SET fields_json = ?, review_flags = ?, synced_at_ms = ? WHERE deposit_id = ?',
    [fieldsJson, flags, nowMs, depositId],
  );
  if (flags !== null) await holdForReview(tx, depositId);
  knownById.set(depositId, { ...known, fieldsJson });
  return { depositId, status: 'exists' };
}

/**
 * The wallets of the batch's shopper deposit codes that the bulk path may credit: only when the
 * terminal's bag is a kiosk bag in the terminal's currency (else every deposit takes the general path,
 * which refuses it with a code), and only for deposits with money in them.
 */
async function walletsForBulk(
  tx: Tx,
  deps: Deps,
  terminal: TerminalRecord,
  fresh: readonly Fresh[],
  nowMs: number,
): Promise<Map<Code, CodeWallet>> {
  const codes: Code[] = [];
  for (const { deposit } of fresh) {
    if (deposit.code === null || deposit.totalMinor <= 0) continue;
    const parsed = parseCode(deposit.code, ['deposit', 'slip']);
    if (parsed.ok && parsed.code === deposit.code && codeTypeOf(parsed.code) === 'deposit')
      codes.push(parsed.code);
  }
  if (codes.length === 0) return new Map();
  const bag = await findAccount(tx, terminal.bagAccountId);
  if (bag === undefined || bag.kind !== 'kioskBag' || bag.currency !== terminal.currency) return new Map();
  const wallets = await walletsOfCodes(tx, codes, nowMs, deps.limits.system.codeRotationGraceMs);
  for (const [code, wallet] of wallets) if (wallet.currency !== terminal.currency) wallets.delete(code);
  return wallets;
}
