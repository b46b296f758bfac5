import type { KioskDeposit, SyncResult } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { raiseOrUpdateAlert } from '../alerts/alerts.js';
import type { Deps } from '../deps.js';
import type { Tx } from '../storage/db.js';
import { UnitFailedWithoutSavepoint } from '../storage/tx-view.js';
import { consumeNonce } from '../terminals/nonces.js';
import type { TerminalCaller } from '../terminals/request-verification.js';
import type { TerminalRecord } from '../terminals/terminal-record.js';
import { lockTerminal } from '../terminals/terminal-record.js';
import {
  creditKioskMoney,
  findKioskDeposit,
  findKioskDepositBySequence,
  holdForReview,
  insertKioskDeposit,
  reviewFlags,
  signedPayloadOf,
  storedFields,
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

interface BatchState {
  created: number;
  highest: number;
  lostEvents: number[];
  conflicts: number[];
}

/**
 * One signed sync batch, in one database transaction: the request's nonce, every deposit and the
 * terminal's sequence bookkeeping commit together or not at all. Per deposit, by id:
 * - unseen: its money moves (kiosk bag -> wallet, or suspense) and the deposit is kept, items and
 *   timestamps included; answer `created`;
 * - seen with exactly these fields: nothing moves; answer `exists`;
 * - seen with other fields, or its sequence number already taken by another deposit id: nothing moves;
 *   answer `conflict` with the fields the server holds;
 * - known only from its redeemed offline receipt: `exists` if the receipt's signed fields match (the
 *   money moved at redemption), else `conflict`.
 * Deposits are credited in code order, so two batches in flight lock wallets in the same order.
 */
export async function syncBatch(
  deps: Deps,
  caller: TerminalCaller,
  deposits: readonly KioskDeposit[],
): Promise<SyncResult[]> {
  // First without a savepoint per deposit (the common batch, where every credit succeeds); if any credit
  // fails, that attempt rolls back whole and the batch runs again with savepoints, where a failing deposit
  // is undone alone and answered as a conflict.
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
  const order = deposits
    .map((deposit, index) => ({ deposit, index }))
    .sort((a, b) => {
      const left = a.deposit.code ?? a.deposit.claimCode ?? '';
      const right = b.deposit.code ?? b.deposit.claimCode ?? '';
      return left < right ? -1 : left > right ? 1 : a.index - b.index;
    });
  const state: BatchState = { created: 0, highest: 0, lostEvents: [], conflicts: [] };
  const results: SyncResult[] = new Array<SyncResult>(deposits.length);
  for (const { deposit, index } of order) {
    results[index] = await syncOne(tx, deps, terminal, deposit, state, nowMs, viewMode);
  }
  await recordSequences(tx, deps, terminal, { count: state.created, highest: state.highest }, nowMs);
  if (state.lostEvents.length > 0) {
    await raiseOrUpdateAlert(
      tx,
      deps,
      {
        kind: 'lostCoinEvents',
        terminalId: terminal.id,
        storeId: terminal.storeId,
        detail: `deposit sequence ${state.lostEvents.join(', ')} reported lost coin events`,
      },
      nowMs,
    );
  }
  if (state.conflicts.length > 0) {
    await raiseOrUpdateAlert(
      tx,
      deps,
      {
        kind: 'syncConflict',
        terminalId: terminal.id,
        storeId: terminal.storeId,
        detail: `deposit sequence ${state.conflicts.join(', ')} conflicts with what the server holds`,
      },
      nowMs,
    );
  }
  return results;
}

async function syncOne(
  tx: Tx,
  deps: Deps,
  terminal: TerminalRecord,
  deposit: KioskDeposit,
  state: BatchState,
  nowMs: number,
  viewMode: 'direct' | 'savepoints',
): Promise<SyncResult> {
  const { depositId } = deposit;
  const fieldsJson = JSON.stringify(deposit);
  const conflict = (stored: Record<string, unknown>): SyncResult => {
    state.conflicts.push(deposit.sequence);
    return { depositId, status: 'conflict', stored };
  };
  const known = await findKioskDeposit(tx, depositId);
  if (known !== undefined) {
    if (known.terminalId !== terminal.id) return conflict({ terminalId: known.terminalId });
    if (known.fieldsJson !== null) {
      return known.fieldsJson === fieldsJson
        ? { depositId, status: 'exists' }
        : conflict(storedFields(known));
    }
    // Known from a redeemed receipt: the money moved then. The sync completes the record.
    if (known.signedPayload !== signedPayloadOf(terminal.id, deposit)) return conflict(storedFields(known));
    const flags = reviewFlags(deposit.flags);
    await tx.run(
      'UPDATE kiosk_deposits SET fields_json = ?, review_flags = ?, synced_at_ms = ? WHERE deposit_id = ?',
      [fieldsJson, flags, nowMs, depositId],
    );
    if (flags !== null) await holdForReview(tx, depositId);
    return { depositId, status: 'exists' };
  }
  const taken = await findKioskDepositBySequence(tx, terminal.id, deposit.sequence);
  if (taken !== undefined) return conflict(storedFields(taken));
  if (deposit.currency !== terminal.currency) {
    return conflict({ reason: 'currencyMismatch', terminalCurrency: terminal.currency });
  }
  let credit;
  try {
    credit = await creditKioskMoney(tx, deps, terminal, deposit, nowMs, viewMode);
  } catch (error) {
    // The deposit id is already a transfer of something else (never a kiosk's own, which would be in
    // kiosk_deposits): nothing was written for it; a person must look.
    if (error instanceof CodedError) return conflict({ reason: error.code });
    throw error;
  }
  const flags = reviewFlags(deposit.flags);
  if (flags !== null && credit.creditedTo === 'wallet') await holdForReview(tx, depositId);
  await insertKioskDeposit(
    tx,
    {
      depositId,
      terminalId: terminal.id,
      sequence: deposit.sequence,
      fieldsJson,
      signed: deposit,
      credit,
      reviewFlags: flags,
      source: 'sync',
      receiptRedeemedBy: null,
    },
    nowMs,
  );
  if (deposit.flags.lostEvents) state.lostEvents.push(deposit.sequence);
  state.created += 1;
  state.highest = Math.max(state.highest, deposit.sequence);
  return {
    depositId,
    status: 'created',
    creditedTo: credit.creditedTo === 'nothing' ? 'wallet' : credit.creditedTo,
    inReview: credit.inReview || flags !== null,
  };
}
