import type { CurrencyCode, Store } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { ensureAccount } from '../ledger/accounts.js';
import type { Tx } from '../storage/db.js';
import { nextShortId } from './short-ids.js';

export interface StoreRecord extends Store {
  readonly drawerAccountId: string;
}

interface StoreRow extends Record<string, unknown> {
  id: string;
  name: string;
  currency: CurrencyCode;
  time_zone: string;
  address: string | null;
  drawer_account_id: string;
}

const storeColumns = 'id, name, currency, time_zone, address, drawer_account_id';

function storeFromRow(row: StoreRow): StoreRecord {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    timeZone: row.time_zone,
    address: row.address,
    drawerAccountId: row.drawer_account_id,
  };
}

/** The wire shape: the drawer account is the ledger's business, not the till's. */
export function publicStore(store: StoreRecord): Store {
  return {
    id: store.id,
    name: store.name,
    currency: store.currency,
    timeZone: store.timeZone,
    address: store.address,
  };
}

/** Creates a store with its cash drawer account, in one transaction, audited on the store's chain. */
export async function createStore(
  deps: Deps,
  input: { name: string; currency: CurrencyCode; timeZone: string; address?: string | undefined },
  by: string,
): Promise<StoreRecord> {
  const nowMs = deps.clock.nowMs();
  const address = input.address ?? null;
  return deps.db.transaction(async (tx) => {
    const id = await nextShortId(tx, 'store');
    const drawerAccountId = await ensureAccount(
      tx,
      { kind: 'storeDrawer', ownerRef: id, currency: input.currency },
      deps.newId,
      nowMs,
    );
    await tx.run(
      'INSERT INTO stores (id, name, currency, time_zone, address, drawer_account_id, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, input.name, input.currency, input.timeZone, address, drawerAccountId, nowMs],
    );
    await appendAudit(
      tx,
      {
        kind: 'store.created',
        subject: id,
        data: { name: input.name, currency: input.currency, timeZone: input.timeZone, by },
      },
      nowMs,
    );
    return {
      id,
      name: input.name,
      currency: input.currency,
      timeZone: input.timeZone,
      address,
      drawerAccountId,
    };
  });
}

/** The store; `lock` is a row-lock clause (storage/db.ts `forUpdate`) for who must change what it owns. */
export async function findStore(tx: Tx, id: string, lock = ''): Promise<StoreRecord | undefined> {
  const row = await tx.get<StoreRow>(`SELECT ${storeColumns} FROM stores WHERE id = ?${lock}`, [id]);
  return row === undefined ? undefined : storeFromRow(row);
}

export async function requireStore(tx: Tx, id: string, lock = ''): Promise<StoreRecord> {
  const store = await findStore(tx, id, lock);
  if (store === undefined) throw new CodedError('NOT_FOUND', { field: 'storeId' });
  return store;
}

/**
 * What a store owes the network now, as a column of a query on `stores`: its drawer account's debits
 * (till deposits) less its credits (voids, payments; the ledger never lets a deposit credit it), each
 * summed through its covering index for that one account. The one definition of it.
 */
export const storeOwedColumn = `COALESCE((SELECT SUM(amount_minor) FROM transfers
                 WHERE debit_account_id = stores.drawer_account_id), 0)
   - COALESCE((SELECT SUM(amount_minor) FROM transfers
                 WHERE credit_account_id = stores.drawer_account_id AND code <> 'deposit'), 0)`;

/** Every store, for the ops console, with what each owes now. Stores number in the thousands at most. */
export async function listStores(deps: Deps): Promise<(StoreRecord & { owedMinor: number })[]> {
  const rows = await deps.db.single<StoreRow & { owed_minor: number | string }>(
    `SELECT ${storeColumns}, ${storeOwedColumn} AS owed_minor FROM stores ORDER BY id`,
  );
  return rows.map((row) => ({ ...storeFromRow(row), owedMinor: Number(row.owed_minor) }));
}
