import type { CurrencyCode } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import type { Deps } from '../deps.js';
import { csvText } from '../http/csv.js';
import { requireStore } from '../stores/stores.js';
import { businessDayOf, businessDayRange } from './business-day.js';

export interface Settlement {
  readonly storeId: string;
  readonly storeName: string;
  readonly date: string;
  readonly timeZone: string;
  readonly currency: CurrencyCode;
  readonly tillDeposits: { count: number; totalMinor: number };
  readonly tillVoids: { count: number; totalMinor: number };
  readonly kioskDeposits: { count: number; totalMinor: number };
  readonly owedMinor: number;
}

interface Totals extends Record<string, unknown> {
  count: number | string;
  total: number | string | null;
}

const totals = (row: Totals | undefined) => ({
  count: Number(row?.count ?? 0),
  totalMinor: Number(row?.total ?? 0),
});

/**
 * A store's business day read from the ledger itself, so the report and the ledger cannot disagree: till
 * deposits are the transfers out of the store's drawer, till voids the reversals back into it, kiosk
 * deposits the transfers out of the bags of the store's terminals (collected by the network, so not owed
 * by the store). Ledger time (when the server recorded the money) decides the day, for voids too: a void
 * lands on the day it was made, not on its deposit's day, since the money left the drawer then and a
 * report already handed over must not change. So a day whose voids exceed its deposits owes below zero.
 */
export async function settlementFor(
  deps: Pick<Deps, 'db' | 'clock'>,
  storeId: string,
  requestedDate: string | undefined,
): Promise<Settlement> {
  if (requestedDate !== undefined) {
    const parsed = new Date(`${requestedDate}T00:00:00Z`);
    if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== requestedDate)
      throw new CodedError('VALIDATION_FAILED', { field: 'date' });
  }
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const store = await requireStore(tx, storeId);
    // Without a date, the day it is now where the store is (not in UTC, nor where the operator sits).
    const date = requestedDate ?? businessDayOf(nowMs, store.timeZone);
    const { startMs, endMs } = businessDayRange(date, store.timeZone);
    const till = await tx.get<Totals>(
      `SELECT COUNT(*) AS count, SUM(amount_minor) AS total FROM transfers
       WHERE debit_account_id = ? AND code IN ('deposit', 'depositToSuspense') AND created_at_ms >= ? AND created_at_ms < ?`,
      [store.drawerAccountId, startMs, endMs],
    );
    // `code <> 'deposit'` is the credit side's partial index condition: said, both databases use the index.
    const voids = await tx.get<Totals>(
      `SELECT COUNT(*) AS count, SUM(amount_minor) AS total FROM transfers
       WHERE credit_account_id = ? AND code <> 'deposit' AND code = 'reversal' AND created_at_ms >= ? AND created_at_ms < ?`,
      [store.drawerAccountId, startMs, endMs],
    );
    const kiosk = await tx.get<Totals>(
      `SELECT COUNT(*) AS count, SUM(t.amount_minor) AS total FROM transfers t
       JOIN terminals k ON k.bag_account_id = t.debit_account_id
       WHERE k.store_id = ? AND t.code IN ('deposit', 'depositToSuspense') AND t.created_at_ms >= ? AND t.created_at_ms < ?`,
      [store.id, startMs, endMs],
    );
    const tillDeposits = totals(till);
    const tillVoids = totals(voids);
    return {
      storeId: store.id,
      storeName: store.name,
      date,
      timeZone: store.timeZone,
      currency: store.currency,
      tillDeposits,
      tillVoids,
      kioskDeposits: totals(kiosk),
      owedMinor: tillDeposits.totalMinor - tillVoids.totalMinor,
    };
  });
}

/** The settlement as CSV: a header and one row, amounts in minor units (the column names say so). */
export function settlementCsv(settlement: Settlement): string {
  const rows: (string | number)[][] = [
    [
      'store_id',
      'store_name',
      'date',
      'time_zone',
      'currency',
      'till_deposits_count',
      'till_deposits_total_minor',
      'till_voids_count',
      'till_voids_total_minor',
      'kiosk_deposits_count',
      'kiosk_deposits_total_minor',
      'owed_minor',
    ],
    [
      settlement.storeId,
      settlement.storeName,
      settlement.date,
      settlement.timeZone,
      settlement.currency,
      settlement.tillDeposits.count,
      settlement.tillDeposits.totalMinor,
      settlement.tillVoids.count,
      settlement.tillVoids.totalMinor,
      settlement.kioskDeposits.count,
      settlement.kioskDeposits.totalMinor,
      settlement.owedMinor,
    ],
  ];
  return csvText(rows);
}
