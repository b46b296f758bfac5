import type { Db, Tx } from '../storage/db.js';

export interface AccountDiscrepancy {
  readonly accountId: string;
  readonly kind: string;
  /**
   * depositIntoSummedAccount: a deposit credited an account whose totals are summed from its transfers,
   * which the ledger refuses; such a credit would be missed by the index those sums read (migration 070).
   */
  readonly problem: 'runningBalanceDiffers' | 'belowZero' | 'unknownAccount' | 'depositIntoSummedAccount';
  readonly storedDebitsMinor: bigint;
  readonly storedCreditsMinor: bigint;
  readonly recomputedDebitsMinor: bigint;
  readonly recomputedCreditsMinor: bigint;
}

/** The business rows whose money is a transfer: what each row says must be what the ledger moved. */
export type RecordKind =
  | 'collection'
  | 'collectionOverShort'
  | 'bankDeposit'
  | 'bankDepositDifference'
  | 'storeRemittance'
  | 'deposit'
  | 'claim';

/**
 * A business row and its transfer that disagree. transferMissing: the row says money moved and no such
 * transfer exists; transferDiffers: it exists with another amount, currency or account; recordMissing: a
 * transfer into or out of cash in transit, the bank or over/short that no collection, bank deposit or
 * remittance accounts for (record `none`: its row deleted), a deposit transfer with no deposit row
 * (record `deposit`), or a deposit into suspense with no claim (record `claim`). Those accounts' balances
 * are sums of their own transfers, so a changed or deleted transfer there leaves every sum consistent; only
 * the rows beside them can tell.
 */
export interface RecordDiscrepancy {
  readonly record: RecordKind | 'none';
  readonly problem: 'transferMissing' | 'transferDiffers' | 'recordMissing';
  readonly recordId: string | null;
  readonly transferId: string | null;
}

export interface LedgerReport {
  readonly ok: boolean;
  readonly accounts: number;
  readonly transfers: number;
  /** Per currency, over every account, recomputed from transfers. */
  readonly totals: Record<string, { debitsMinor: bigint; creditsMinor: bigint }>;
  readonly discrepancies: AccountDiscrepancy[];
  readonly recordDiscrepancies: RecordDiscrepancy[];
}

/**
 * Each business row against its transfer, one statement per kind: the amount (a signed difference is
 * booked as its absolute value, its sign choosing the direction), the currency, and the account the row
 * names. Rows without money (a collection expecting nothing, a bank deposit of nothing) have no transfer.
 */
const recordChecks: readonly { record: RecordKind; sql: string }[] = [
  {
    record: 'collection',
    sql: `SELECT c.id AS record_id, t.id AS transfer_id FROM collections c
            JOIN terminals k ON k.id = c.terminal_id
            LEFT JOIN transfers t ON t.id = c.id
           WHERE c.expected_minor <> 0 AND (t.id IS NULL OR t.amount_minor <> ABS(c.expected_minor)
             OR t.currency <> c.currency
             OR (c.expected_minor > 0 AND t.credit_account_id <> k.bag_account_id)
             OR (c.expected_minor < 0 AND t.debit_account_id <> k.bag_account_id))`,
  },
  {
    record: 'collectionOverShort',
    sql: `SELECT c.id AS record_id, t.id AS transfer_id FROM collections c
            LEFT JOIN transfers t ON t.id = c.over_short_transfer_id
           WHERE (c.over_short_minor <> 0 OR c.over_short_transfer_id IS NOT NULL)
             AND (t.id IS NULL OR t.amount_minor <> ABS(c.over_short_minor) OR t.currency <> c.currency)`,
  },
  {
    record: 'bankDeposit',
    sql: `SELECT b.id AS record_id, t.id AS transfer_id FROM bank_deposits b
            LEFT JOIN transfers t ON t.id = b.id
           WHERE b.counted_minor <> 0
             AND (t.id IS NULL OR t.amount_minor <> b.counted_minor OR t.currency <> b.currency)`,
  },
  {
    record: 'bankDepositDifference',
    sql: `SELECT b.id AS record_id, t.id AS transfer_id FROM bank_deposits b
            LEFT JOIN transfers t ON t.id = b.difference_transfer_id
           WHERE (b.difference_minor <> 0 OR b.difference_transfer_id IS NOT NULL)
             AND (t.id IS NULL OR t.amount_minor <> ABS(b.difference_minor) OR t.currency <> b.currency)`,
  },
  {
    record: 'storeRemittance',
    sql: `SELECT r.id AS record_id, t.id AS transfer_id FROM store_remittances r
            JOIN stores s ON s.id = r.store_id
            LEFT JOIN transfers t ON t.id = r.id
           WHERE t.id IS NULL OR t.amount_minor <> r.amount_minor OR t.currency <> r.currency
             OR t.credit_account_id <> s.drawer_account_id`,
  },
  {
    record: 'deposit',
    sql: `SELECT d.transfer_id AS record_id, t.id AS transfer_id FROM deposits d
            LEFT JOIN transfers t ON t.id = d.transfer_id
           WHERE t.id IS NULL OR t.amount_minor <> d.amount_minor OR t.currency <> d.currency
             OR t.debit_account_id <> d.source_account_id`,
  },
  {
    // A claim pays out what its transfer put into suspense (a deposit to an unknown code, or a reversal
    // held there): the same amount and currency, credited to a suspense account.
    record: 'claim',
    sql: `SELECT c.id AS record_id, t.id AS transfer_id FROM claims c
            LEFT JOIN transfers t ON t.id = c.deposit_transfer_id
            LEFT JOIN accounts a ON a.id = t.credit_account_id
           WHERE t.id IS NULL OR t.amount_minor <> c.amount_minor OR t.currency <> c.currency
             OR a.kind IS NULL OR a.kind <> 'suspense'`,
  },
];

/**
 * Transfers into or out of cash in transit, the bank and over/short that no business row accounts for:
 * only collections, bank deposits and store remittances move money there, each under its own id or the
 * id of its over/short transfer. Each side is read through its own index (the credit side's leaves out
 * deposits, which never credit these accounts).
 */
const unaccountedTransfersSql = `
  WITH accounted AS (
    SELECT id FROM collections
    UNION ALL SELECT over_short_transfer_id FROM collections WHERE over_short_transfer_id IS NOT NULL
    UNION ALL SELECT id FROM bank_deposits
    UNION ALL SELECT difference_transfer_id FROM bank_deposits WHERE difference_transfer_id IS NOT NULL
    UNION ALL SELECT id FROM store_remittances
  ), touching AS (
    SELECT t.id FROM accounts a JOIN transfers t ON t.debit_account_id = a.id
     WHERE a.kind IN ('cashInTransit', 'bank', 'overShort')
    UNION
    SELECT t.id FROM accounts a JOIN transfers t ON t.credit_account_id = a.id AND t.code <> 'deposit'
     WHERE a.kind IN ('cashInTransit', 'bank', 'overShort')
  )
  SELECT id AS transfer_id FROM touching WHERE id NOT IN (SELECT id FROM accounted) ORDER BY id`;

/**
 * Deposit transfers with no deposit row. Every deposit writes its row beside its transfer (who, which
 * code, its review status, its place in the wallet's limits); a deposit without one still moves the
 * wallet's balance but is missing from the limits, the review queue, settlements and the wallet's history,
 * which find deposits through their rows. A deposit into suspense has its row too (its status says so).
 * Reads every transfer once, as the sums above do, and each deposit row by its primary key.
 */
const depositsWithoutRecordSql = `
  SELECT t.id AS transfer_id FROM transfers t
   WHERE t.code IN ('deposit', 'depositToSuspense')
     AND NOT EXISTS (SELECT 1 FROM deposits d WHERE d.transfer_id = t.id)
   ORDER BY t.id`;

/**
 * Deposits into suspense with no claim: the money sits there with no code a shopper could redeem and no
 * claim ops could assign, so it would never leave. Each claim is found by its deposit transfer (unique).
 */
const suspenseDepositsWithoutClaimSql = `
  SELECT t.id AS transfer_id FROM transfers t
   WHERE t.code = 'depositToSuspense'
     AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.deposit_transfer_id = t.id)
   ORDER BY t.id`;

/** Every business row against its transfer, and every transfer of those accounts against its row. */
async function verifyRecords(tx: Tx): Promise<RecordDiscrepancy[]> {
  const found: RecordDiscrepancy[] = [];
  for (const check of recordChecks) {
    const rows = await tx.all<{ record_id: string; transfer_id: string | null }>(check.sql);
    for (const row of rows)
      found.push({
        record: check.record,
        problem: row.transfer_id === null ? 'transferMissing' : 'transferDiffers',
        recordId: row.record_id,
        transferId: row.transfer_id,
      });
  }
  for (const row of await tx.all<{ transfer_id: string }>(unaccountedTransfersSql))
    found.push({ record: 'none', problem: 'recordMissing', recordId: null, transferId: row.transfer_id });
  for (const row of await tx.all<{ transfer_id: string }>(depositsWithoutRecordSql))
    found.push({ record: 'deposit', problem: 'recordMissing', recordId: null, transferId: row.transfer_id });
  for (const row of await tx.all<{ transfer_id: string }>(suspenseDepositsWithoutClaimSql))
    found.push({ record: 'claim', problem: 'recordMissing', recordId: null, transferId: row.transfer_id });
  return found;
}

interface Sums {
  debits: bigint;
  credits: bigint;
  /** The part of `credits` that deposits made. */
  depositCredits: bigint;
}

function toBig(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  return BigInt(String(value));
}

/**
 * Recomputes every account's posted totals from the transfers and compares them with the running
 * balances kept on wallet rows; proves Σdebits = Σcredits per currency (bigint, so no sum can overflow)
 * and that no wallet is below zero. The sums run in the database, grouped per account.
 *
 * Its statements read one snapshot (REPEATABLE READ READ ONLY on PostgreSQL): at READ COMMITTED a deposit
 * committed between reading the accounts and summing the transfers would show as a running balance that
 * differs from its transfers, a false alarm on a live server.
 */
export async function verifyLedger(db: Db): Promise<LedgerReport> {
  return db.transaction(
    async (tx) => {
      const accounts = await tx.all<{
        id: string;
        kind: string;
        currency: string;
        keeps_running_balance: number;
        debits_must_not_exceed_credits: number;
        debits_posted: number;
        credits_posted: number;
      }>(
        'SELECT id, kind, currency, keeps_running_balance, debits_must_not_exceed_credits, debits_posted, credits_posted FROM accounts',
      );
      // CAST to TEXT: SQLite's SUM is exact up to 2^63 and PostgreSQL's is numeric; text reaches BigInt intact.
      const debitRows = await tx.all<{ account_id: string; total: unknown }>(
        'SELECT debit_account_id AS account_id, CAST(SUM(amount_minor) AS TEXT) AS total FROM transfers GROUP BY debit_account_id',
      );
      const creditRows = await tx.all<{ account_id: string; by_deposit: unknown; total: unknown }>(
        `SELECT credit_account_id AS account_id, CASE WHEN code = 'deposit' THEN 1 ELSE 0 END AS by_deposit,
              CAST(SUM(amount_minor) AS TEXT) AS total
         FROM transfers GROUP BY credit_account_id, by_deposit`,
      );
      const transferCount = await tx.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM transfers');
      const sums = new Map<string, Sums>();
      const sumsOf = (id: string): Sums => {
        let entry = sums.get(id);
        if (entry === undefined) {
          entry = { debits: 0n, credits: 0n, depositCredits: 0n };
          sums.set(id, entry);
        }
        return entry;
      };
      for (const row of debitRows) sumsOf(row.account_id).debits += toBig(row.total);
      for (const row of creditRows) {
        const entry = sumsOf(row.account_id);
        entry.credits += toBig(row.total);
        if (Number(row.by_deposit) === 1) entry.depositCredits += toBig(row.total);
      }

      const discrepancies: AccountDiscrepancy[] = [];
      const totals: LedgerReport['totals'] = {};
      const known = new Set<string>();
      for (const account of accounts) {
        known.add(account.id);
        const recomputed = sums.get(account.id) ?? { debits: 0n, credits: 0n, depositCredits: 0n };
        const total = (totals[account.currency] ??= { debitsMinor: 0n, creditsMinor: 0n });
        total.debitsMinor += recomputed.debits;
        total.creditsMinor += recomputed.credits;
        const stored =
          account.keeps_running_balance === 1
            ? { debits: toBig(account.debits_posted), credits: toBig(account.credits_posted) }
            : recomputed;
        const base = {
          accountId: account.id,
          kind: account.kind,
          storedDebitsMinor: stored.debits,
          storedCreditsMinor: stored.credits,
          recomputedDebitsMinor: recomputed.debits,
          recomputedCreditsMinor: recomputed.credits,
        };
        if (stored.debits !== recomputed.debits || stored.credits !== recomputed.credits) {
          discrepancies.push({ ...base, problem: 'runningBalanceDiffers' });
        } else if (account.debits_must_not_exceed_credits === 1 && recomputed.debits > recomputed.credits) {
          discrepancies.push({ ...base, problem: 'belowZero' });
        } else if (account.keeps_running_balance !== 1 && recomputed.depositCredits > 0n) {
          discrepancies.push({ ...base, problem: 'depositIntoSummedAccount' });
        }
      }
      for (const [id, recomputed] of sums) {
        if (known.has(id)) continue;
        discrepancies.push({
          accountId: id,
          kind: 'unknown',
          problem: 'unknownAccount',
          storedDebitsMinor: 0n,
          storedCreditsMinor: 0n,
          recomputedDebitsMinor: recomputed.debits,
          recomputedCreditsMinor: recomputed.credits,
        });
      }
      const recordDiscrepancies = await verifyRecords(tx);
      const balanced = Object.values(totals).every((total) => total.debitsMinor === total.creditsMinor);
      return {
        ok: balanced && discrepancies.length === 0 && recordDiscrepancies.length === 0,
        accounts: accounts.length,
        transfers: Number(toBig(transferCount?.n)),
        totals,
        discrepancies,
        recordDiscrepancies,
      };
    },
    { readOnlySnapshot: true },
  );
}

/** The report as a person reads it. */
export function formatLedgerReport(report: LedgerReport): string {
  const lines = [`accounts: ${report.accounts}`, `transfers: ${report.transfers}`];
  for (const [currency, total] of Object.entries(report.totals)) {
    const mark = total.debitsMinor === total.creditsMinor ? 'ok' : 'MISMATCH';
    lines.push(
      `${currency}: debits ${total.debitsMinor} = credits ${total.creditsMinor} minor units (${mark})`,
    );
  }
  for (const d of report.discrepancies) {
    lines.push(
      `DISCREPANCY ${d.problem} ${d.kind} ${d.accountId}: stored ${d.storedDebitsMinor}/${d.storedCreditsMinor}, recomputed ${d.recomputedDebitsMinor}/${d.recomputedCreditsMinor}`,
    );
  }
  for (const d of report.recordDiscrepancies) {
    lines.push(
      `DISCREPANCY ${d.problem} ${d.record} ${d.recordId ?? '-'}: transfer ${d.transferId ?? 'none'}`,
    );
  }
  lines.push(
    report.ok
      ? 'ledger verified: every balance equals its transfers, every business row its transfer'
      : 'LEDGER VERIFICATION FAILED',
  );
  return lines.join('\n');
}
