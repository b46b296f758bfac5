import type { CurrencyCode, StoreRemittance, UuidV7 } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { ensureSystemAccount } from '../ledger/accounts.js';
import { createTransfers } from '../ledger/ledger.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
import type { StoreRecord } from './stores.js';
import { requireStore, storeOwedColumn } from './stores.js';

export interface RemittanceInput {
  readonly remittanceId: UuidV7;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly reference: string;
}

interface RemittanceRow extends Record<string, unknown> {
  id: string;
  store_id: string;
  currency: CurrencyCode;
  amount_minor: number | string;
  owed_before_minor: number | string;
  reference: string;
  recorded_by: string;
  recorded_at_ms: number | string;
}

const remittanceColumns =
  'id, store_id, currency, amount_minor, owed_before_minor, reference, recorded_by, recorded_at_ms';

function fromRow(row: RemittanceRow): StoreRemittance {
  const amountMinor = Number(row.amount_minor);
  const owedBeforeMinor = Number(row.owed_before_minor);
  return {
    remittanceId: row.id,
    storeId: row.store_id,
    currency: row.currency,
    amountMinor,
    owedBeforeMinor,
    owedAfterMinor: owedBeforeMinor - amountMinor,
    reference: row.reference,
    recordedBy: row.recorded_by,
    recordedAtMs: Number(row.recorded_at_ms),
  };
}

/** What the store owes the network now (stores.ts `storeOwedColumn`). */
async function owedBy(tx: Tx, store: StoreRecord): Promise<number> {
  const row = await tx.get<{ owed_minor: number | string }>(
    `SELECT ${storeOwedColumn} AS owed_minor FROM stores WHERE id = ?`,
    [store.id],
  );
  return Number(row?.owed_minor ?? 0);
}

/**
 * Records a store's payment of what it owes, once. The store's row is locked first, so two operators
 * recording payments for one store queue and the second weighs what the first left owing; a payment of
 * more than is owed is refused (a typo is likelier than a store paying ahead), with what is owed. The
 * amount moves store drawer -> bank under the console's id, and is audited on the store's chain. A retry
 * with the same id and facts answers the first record; the same id with other facts is
 * IDEMPOTENCY_CONFLICT.
 */
export async function recordRemittance(
  deps: Deps,
  storeId: string,
  input: RemittanceInput,
  by: string,
): Promise<StoreRemittance> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const store = await requireStore(tx, storeId, forUpdate(tx.dialect));
    const prior = await tx.get<RemittanceRow>(
      `SELECT ${remittanceColumns} FROM store_remittances WHERE id = ?`,
      [input.remittanceId],
    );
    if (prior !== undefined) {
      const recorded = fromRow(prior);
      const same =
        recorded.storeId === storeId &&
        recorded.currency === input.currency &&
        recorded.amountMinor === input.amountMinor &&
        recorded.reference === input.reference;
      if (!same) throw new CodedError('IDEMPOTENCY_CONFLICT', { remittanceId: input.remittanceId });
      return recorded;
    }
    if (input.currency !== store.currency)
      throw new CodedError('CURRENCY_MISMATCH', { storeCurrency: store.currency });
    const owedBeforeMinor = await owedBy(tx, store);
    if (input.amountMinor > owedBeforeMinor)
      throw new CodedError('AMOUNT_ABOVE_MAXIMUM', { reason: 'exceedsOwed', owedMinor: owedBeforeMinor });

    const bank = await ensureSystemAccount(tx, 'bank', store.currency, deps.newId, nowMs);
    const [result] = await createTransfers(
      tx,
      [
        {
          id: input.remittanceId,
          debitAccountId: bank,
          creditAccountId: store.drawerAccountId,
          amountMinor: input.amountMinor,
          currency: store.currency,
          code: 'adjustment',
          reason: `store ${store.id} paid: ${input.reference}`,
        },
      ],
      nowMs,
    );
    // Any other answer means the id is some other transfer's: never one of ours, so refuse it.
    if (result !== 'created')
      throw new CodedError('IDEMPOTENCY_CONFLICT', { remittanceId: input.remittanceId, result });
    await tx.run(`INSERT INTO store_remittances (${remittanceColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
      input.remittanceId,
      store.id,
      store.currency,
      input.amountMinor,
      owedBeforeMinor,
      input.reference,
      by,
      nowMs,
    ]);
    const remittance: StoreRemittance = {
      remittanceId: input.remittanceId,
      storeId: store.id,
      currency: store.currency,
      amountMinor: input.amountMinor,
      owedBeforeMinor,
      owedAfterMinor: owedBeforeMinor - input.amountMinor,
      reference: input.reference,
      recordedBy: by,
      recordedAtMs: nowMs,
    };
    await appendAudit(
      tx,
      {
        kind: 'store.remittanceRecorded',
        subject: store.id,
        data: {
          remittanceId: input.remittanceId,
          currency: store.currency,
          amountMinor: input.amountMinor,
          owedBeforeMinor,
          owedAfterMinor: remittance.owedAfterMinor,
          reference: input.reference,
          by,
        },
      },
      nowMs,
    );
    return remittance;
  });
}

/** The most payments one listing returns, newest first. */
export const remittancesListedMax = 200;

/** What a store owes now and its latest payments, newest first. */
export async function listRemittances(
  deps: Pick<Deps, 'db'>,
  storeId: string,
): Promise<{ storeId: string; currency: CurrencyCode; owedMinor: number; remittances: StoreRemittance[] }> {
  return deps.db.transaction(async (tx) => {
    const store = await requireStore(tx, storeId);
    const rows = await tx.all<RemittanceRow>(
      `SELECT ${remittanceColumns} FROM store_remittances WHERE store_id = ?
        ORDER BY recorded_at_ms DESC, id DESC LIMIT ?`,
      [storeId, remittancesListedMax],
    );
    return {
      storeId,
      currency: store.currency,
      owedMinor: await owedBy(tx, store),
      remittances: rows.map(fromRow),
    };
  });
}
