import type { CurrencyCode, UuidV7 } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { resolveAlert } from '../alerts/alerts.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { ensureSystemAccount } from '../ledger/accounts.js';
import { createTransfers } from '../ledger/ledger.js';
import type { TransferInput } from '../ledger/transfer.js';
import type { Tx } from '../storage/db.js';
import { lockTerminal } from '../terminals/terminal-record.js';
import { overShortTransfer } from './over-short.js';

export interface Collection {
  readonly collectionId: UuidV7;
  readonly terminalId: string;
  readonly currency: CurrencyCode;
  readonly expectedMinor: number;
  readonly countedMinor: number;
  readonly overShortMinor: number;
  readonly collectedAtMs: number;
  /** Who recorded the count (a staff id, or ops-token); null for collections recorded before this was kept. */
  readonly collectedBy: string | null;
  readonly bagLabel: string | null;
  /** The bank deposit that carried its cash to the bank; null while in transit. */
  readonly bankDepositId: string | null;
}

interface CollectionRow extends Record<string, unknown> {
  id: string;
  terminal_id: string;
  currency: CurrencyCode;
  expected_minor: number;
  counted_minor: number;
  over_short_minor: number;
  collected_at_ms: number;
  collected_by: string | null;
  bag_label: string | null;
  bank_deposit_id: string | null;
}

const collectionColumns =
  'id, terminal_id, currency, expected_minor, counted_minor, over_short_minor, collected_at_ms, collected_by, bag_label, bank_deposit_id';

function fromRow(row: CollectionRow): Collection {
  return {
    collectionId: row.id as UuidV7,
    terminalId: row.terminal_id,
    currency: row.currency,
    expectedMinor: row.expected_minor,
    countedMinor: row.counted_minor,
    overShortMinor: row.over_short_minor,
    collectedAtMs: row.collected_at_ms,
    collectedBy: row.collected_by,
    bagLabel: row.bag_label,
    bankDepositId: row.bank_deposit_id,
  };
}

/**
 * The bag's balance by the ledger: cash in (deposits debit the bag) less cash out (reversals credit it,
 * and each collection emptied it to zero). So it is exactly what entered since the last collection. A bag
 * is never credited by a deposit, which the credit side's index leaves out.
 */
async function bagBalance(tx: Tx, bagAccountId: string): Promise<number> {
  const row = await tx.get<{ debits: number | string | null; credits: number | string | null }>(
    `SELECT (SELECT SUM(amount_minor) FROM transfers WHERE debit_account_id = ?) AS debits,
            (SELECT SUM(amount_minor) FROM transfers WHERE credit_account_id = ? AND code <> 'deposit') AS credits`,
    [bagAccountId, bagAccountId],
  );
  return Number(row?.debits ?? 0) - Number(row?.credits ?? 0);
}

/**
 * A tech empties a kiosk's bag and records the counted amount. In one transaction, holding the terminal
 * row (so no sync of that terminal lands half before and half after): the ledger's expected amount moves
 * bag -> cash in transit, and the difference counted - expected is booked against over/short (cash over:
 * debit cash in transit, credit over/short; cash short: the reverse), so cash in transit ends equal to
 * what was counted. The collection id is the tech's, so a retry records nothing twice. The collection is
 * audited on the terminal's chain with who recorded it.
 */
export async function recordCollection(
  deps: Deps,
  input: {
    collectionId: UuidV7;
    terminalId: string;
    countedMinor: number;
    currency: CurrencyCode;
    bagLabel?: string | undefined;
  },
  by: string,
): Promise<Collection> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const prior = await tx.get<CollectionRow>(`SELECT ${collectionColumns} FROM collections WHERE id = ?`, [
      input.collectionId,
    ]);
    if (prior !== undefined) {
      const same =
        prior.terminal_id === input.terminalId &&
        prior.counted_minor === input.countedMinor &&
        prior.currency === input.currency;
      if (!same) throw new CodedError('IDEMPOTENCY_CONFLICT', { collectionId: input.collectionId });
      return fromRow(prior);
    }
    const terminal = await lockTerminal(tx, input.terminalId);
    if (terminal === undefined) throw new CodedError('NOT_FOUND', { field: 'terminalId' });
    if (terminal.currency !== input.currency) throw new CodedError('CURRENCY_MISMATCH');
    const expectedMinor = await bagBalance(tx, terminal.bagAccountId);
    const overShortMinor = input.countedMinor - expectedMinor;
    const account = (kind: 'cashInTransit' | 'overShort') =>
      ensureSystemAccount(tx, kind, input.currency, deps.newId, nowMs);
    const inTransit = await account('cashInTransit');
    const transfers: TransferInput[] = [];
    if (expectedMinor > 0) {
      transfers.push({
        id: input.collectionId,
        debitAccountId: inTransit,
        creditAccountId: terminal.bagAccountId,
        amountMinor: expectedMinor,
        currency: input.currency,
        code: 'adjustment',
        reason: `collection of ${terminal.id}`,
      });
    }
    let overShortTransferId: string | null = null;
    if (overShortMinor !== 0) {
      overShortTransferId = deps.newId();
      transfers.push(
        overShortTransfer({
          id: overShortTransferId,
          assetAccountId: inTransit,
          overShortAccountId: await account('overShort'),
          differenceMinor: overShortMinor,
          currency: input.currency,
          reason: `collection ${input.collectionId}: counted ${input.countedMinor}, expected ${expectedMinor}`,
        }),
      );
    }
    if (transfers.length > 0) {
      const results = await createTransfers(tx, transfers, nowMs);
      if (results.some((result) => result !== 'created'))
        throw new Error(`a collection transfer failed: ${results.join(', ')}`);
    }
    await tx.run(
      `INSERT INTO collections (id, terminal_id, currency, expected_minor, counted_minor, over_short_minor,
         over_short_transfer_id, bag_label, collected_at_ms, collected_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        input.collectionId,
        terminal.id,
        input.currency,
        expectedMinor,
        input.countedMinor,
        overShortMinor,
        overShortTransferId,
        input.bagLabel ?? null,
        nowMs,
        by,
      ],
    );
    // The alert row before the audit head, the order an operator closing that alert by hand takes them in
    // (alerts.ts), so the two never wait on each other (PostgreSQL).
    await resolveAlert(tx, terminal.id, 'bagNearlyFull', nowMs);
    await appendAudit(
      tx,
      {
        kind: 'collection.recorded',
        subject: terminal.id,
        data: {
          collectionId: input.collectionId,
          currency: input.currency,
          expectedMinor,
          countedMinor: input.countedMinor,
          overShortMinor,
          bagLabel: input.bagLabel ?? null,
          by,
        },
      },
      nowMs,
    );
    return {
      collectionId: input.collectionId,
      terminalId: terminal.id,
      currency: input.currency,
      expectedMinor,
      countedMinor: input.countedMinor,
      overShortMinor,
      collectedAtMs: nowMs,
      collectedBy: by,
      bagLabel: input.bagLabel ?? null,
      bankDepositId: null,
    };
  });
}

/** The most collections one listing returns. */
export const collectionsListedMax = 500;

/**
 * Recent collections, newest first; or, `inTransit`, those whose cash has not reached the bank yet, oldest
 * first, so a bag forgotten in transit is at the top however many came after it.
 */
export async function listCollections(deps: Deps, options: { inTransit: boolean }): Promise<Collection[]> {
  const rows = await deps.db.transaction((tx) =>
    tx.all<CollectionRow>(
      options.inTransit
        ? `SELECT ${collectionColumns} FROM collections WHERE bank_deposit_id IS NULL
            ORDER BY collected_at_ms, id LIMIT ${collectionsListedMax}`
        : `SELECT ${collectionColumns} FROM collections
            ORDER BY collected_at_ms DESC, id DESC LIMIT ${collectionsListedMax}`,
    ),
  );
  return rows.map(fromRow);
}
