import type { BankDeposit, CurrencyCode, UuidV7 } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { ensureSystemAccount } from '../ledger/accounts.js';
import { createTransfers } from '../ledger/ledger.js';
import type { TransferInput } from '../ledger/transfer.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
import { overShortTransfer } from './over-short.js';

/**
 * The last step of the cash's trip: a collected bag's cash sits in cash in transit until the bank credits
 * it. Ops records that credit (the carrier's deposit slip, a line of the bank statement) for one or more
 * collections of one currency; the counted amount moves cash in transit -> bank, and what the bank
 * credited beyond or short of it is booked against over/short, so the bank account ends equal to what
 * the bank says it holds.
 */
export interface BankDepositInput {
  readonly bankDepositId: UuidV7;
  readonly collectionIds: readonly string[];
  readonly creditedMinor: number;
  readonly currency: CurrencyCode;
  readonly bankReference: string;
}

interface BankDepositRow extends Record<string, unknown> {
  id: string;
  currency: CurrencyCode;
  counted_minor: number | string;
  credited_minor: number | string;
  difference_minor: number | string;
  bank_reference: string;
  recorded_by: string;
  recorded_at_ms: number | string;
}

const bankDepositColumns =
  'id, currency, counted_minor, credited_minor, difference_minor, bank_reference, recorded_by, recorded_at_ms';

async function collectionIdsOf(tx: Tx, bankDepositIds: readonly string[]): Promise<Map<string, string[]>> {
  const byDeposit = new Map<string, string[]>(bankDepositIds.map((id) => [id, []]));
  if (bankDepositIds.length === 0) return byDeposit;
  const rows = await tx.all<{ id: string; bank_deposit_id: string }>(
    `SELECT id, bank_deposit_id FROM collections WHERE bank_deposit_id IN (${bankDepositIds.map(() => '?').join(', ')})
      ORDER BY id`,
    [...bankDepositIds],
  );
  for (const row of rows) byDeposit.get(row.bank_deposit_id)?.push(row.id);
  return byDeposit;
}

function fromRow(row: BankDepositRow, collectionIds: string[]): BankDeposit {
  return {
    bankDepositId: row.id as UuidV7,
    currency: row.currency,
    collectionIds,
    countedMinor: Number(row.counted_minor),
    creditedMinor: Number(row.credited_minor),
    differenceMinor: Number(row.difference_minor),
    bankReference: row.bank_reference,
    recordedBy: row.recorded_by,
    recordedAtMs: Number(row.recorded_at_ms),
  };
}

/**
 * Records the bank's credit for collections, once. In one transaction: the collections are locked in id
 * order (two operators banking overlapping bags queue, and the second finds them banked), each must exist,
 * be in the currency and not be banked yet; the transfers and the row are written and the collections
 * marked; the act is audited on the currency's cash-in-transit chain with who recorded it. A retry with
 * the same id and facts answers the first record; the same id with other facts is IDEMPOTENCY_CONFLICT.
 */
export async function recordBankDeposit(
  deps: Deps,
  input: BankDepositInput,
  by: string,
): Promise<BankDeposit> {
  const nowMs = deps.clock.nowMs();
  const collectionIds = [...input.collectionIds].sort();
  return deps.db.transaction(async (tx) => {
    /** The record under this id, when there is one: the same facts answer it, others are a conflict. */
    const priorAnswer = async (): Promise<BankDeposit | undefined> => {
      const prior = await tx.get<BankDepositRow>(
        `SELECT ${bankDepositColumns} FROM bank_deposits WHERE id = ?`,
        [input.bankDepositId],
      );
      if (prior === undefined) return undefined;
      const recorded = fromRow(prior, (await collectionIdsOf(tx, [prior.id])).get(prior.id) ?? []);
      const same =
        recorded.currency === input.currency &&
        recorded.creditedMinor === input.creditedMinor &&
        recorded.bankReference === input.bankReference &&
        recorded.collectionIds.join() === collectionIds.join();
      if (!same) throw new CodedError('IDEMPOTENCY_CONFLICT', { bankDepositId: input.bankDepositId });
      return recorded;
    };
    const prior = await priorAnswer();
    if (prior !== undefined) return prior;

    const collections = await tx.all<{
      id: string;
      currency: string;
      counted_minor: number | string;
      bank_deposit_id: string | null;
    }>(
      `SELECT id, currency, counted_minor, bank_deposit_id FROM collections
        WHERE id IN (${collectionIds.map(() => '?').join(', ')}) ORDER BY id${forUpdate(tx.dialect)}`,
      collectionIds,
    );
    const found = new Set(collections.map((collection) => collection.id));
    const missing = collectionIds.find((id) => !found.has(id));
    if (missing !== undefined) throw new CodedError('NOT_FOUND', { collectionId: missing });
    const otherCurrency = collections.find((collection) => collection.currency !== input.currency);
    if (otherCurrency !== undefined)
      throw new CodedError('CURRENCY_MISMATCH', { collectionId: otherCurrency.id });
    const banked = collections.find((collection) => collection.bank_deposit_id !== null);
    // A retry that raced its first send (PostgreSQL): the locks were granted once that one committed.
    if (banked?.bank_deposit_id === input.bankDepositId) {
      const recorded = await priorAnswer();
      if (recorded !== undefined) return recorded;
    }
    if (banked !== undefined)
      throw new CodedError('CONFLICT', {
        reason: 'alreadyBanked',
        collectionId: banked.id,
        bankDepositId: banked.bank_deposit_id,
      });

    const countedMinor = collections.reduce((sum, collection) => sum + Number(collection.counted_minor), 0);
    const differenceMinor = input.creditedMinor - countedMinor;
    const account = (kind: 'cashInTransit' | 'bank' | 'overShort') =>
      ensureSystemAccount(tx, kind, input.currency, deps.newId, nowMs);
    const inTransit = await account('cashInTransit');
    const bank = await account('bank');
    const differenceTransferId = differenceMinor === 0 ? null : deps.newId();
    // The row first: its id and the bank's reference are unique, and a request that finds either taken
    // (PostgreSQL waits for the one that holds it) has written nothing of its own yet.
    const inserted = await tx.run(
      `INSERT INTO bank_deposits (id, currency, counted_minor, credited_minor, difference_minor,
         difference_transfer_id, bank_reference, recorded_by, recorded_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
      [
        input.bankDepositId,
        input.currency,
        countedMinor,
        input.creditedMinor,
        differenceMinor,
        differenceTransferId,
        input.bankReference,
        by,
        nowMs,
      ],
    );
    if (inserted === 0) {
      const recorded = await priorAnswer();
      if (recorded !== undefined) return recorded;
      const holder = await tx.get<{ id: string }>(
        'SELECT id FROM bank_deposits WHERE currency = ? AND bank_reference = ?',
        [input.currency, input.bankReference],
      );
      throw new CodedError('CONFLICT', { reason: 'referenceUsed', bankDepositId: holder?.id ?? null });
    }
    const transfers: TransferInput[] = [];
    if (countedMinor > 0) {
      transfers.push({
        id: input.bankDepositId,
        debitAccountId: bank,
        creditAccountId: inTransit,
        amountMinor: countedMinor,
        currency: input.currency,
        code: 'adjustment',
        reason: `bank deposit ${input.bankReference}`,
      });
    }
    if (differenceTransferId !== null) {
      transfers.push(
        overShortTransfer({
          id: differenceTransferId,
          assetAccountId: bank,
          overShortAccountId: await account('overShort'),
          differenceMinor,
          currency: input.currency,
          reason: `bank deposit ${input.bankDepositId}: credited ${input.creditedMinor}, counted ${countedMinor}`,
        }),
      );
    }
    if (transfers.length > 0) {
      const results = await createTransfers(tx, transfers, nowMs);
      if (results.some((result) => result !== 'created'))
        throw new CodedError('IDEMPOTENCY_CONFLICT', { bankDepositId: input.bankDepositId, results });
    }
    await tx.run(
      `UPDATE collections SET bank_deposit_id = ? WHERE id IN (${collectionIds.map(() => '?').join(', ')})`,
      [input.bankDepositId, ...collectionIds],
    );
    await appendAudit(
      tx,
      {
        kind: 'bankDeposit.recorded',
        subject: inTransit,
        data: {
          bankDepositId: input.bankDepositId,
          currency: input.currency,
          collections: collectionIds.length,
          countedMinor,
          creditedMinor: input.creditedMinor,
          differenceMinor,
          bankReference: input.bankReference,
          by,
        },
      },
      nowMs,
    );
    return {
      bankDepositId: input.bankDepositId,
      currency: input.currency,
      collectionIds,
      countedMinor,
      creditedMinor: input.creditedMinor,
      differenceMinor,
      bankReference: input.bankReference,
      recordedBy: by,
      recordedAtMs: nowMs,
    };
  });
}

/** The most bank deposits one listing returns, newest first. */
export const bankDepositsListedMax = 200;

export async function listBankDeposits(deps: Pick<Deps, 'db'>): Promise<BankDeposit[]> {
  return deps.db.transaction(async (tx) => {
    const rows = await tx.all<BankDepositRow>(
      `SELECT ${bankDepositColumns} FROM bank_deposits ORDER BY recorded_at_ms DESC, id DESC LIMIT ?`,
      [bankDepositsListedMax],
    );
    const collections = await collectionIdsOf(
      tx,
      rows.map((row) => row.id),
    );
    return rows.map((row) => fromRow(row, collections.get(row.id) ?? []));
  });
}
