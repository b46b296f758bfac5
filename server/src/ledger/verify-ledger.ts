import type { Db } from '../storage/db.js';

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

export interface LedgerReport {
  readonly ok: boolean;
  readonly accounts: number;
  readonly transfers: number;
  /** Per currency, over every account, recomputed from transfers. */
  readonly totals: Record<string, { debitsMinor: bigint; creditsMinor: bigint }>;
  readonly discrepancies: AccountDiscrepancy[];
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
      const balanced = Object.values(totals).every((total) => total.debitsMinor === total.creditsMinor);
      return {
        ok: balanced && discrepancies.length === 0,
        accounts: accounts.length,
        transfers: Number(toBig(transferCount?.n)),
        totals,
        discrepancies,
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
  lines.push(
    report.ok ? 'ledger verified: every balance equals its transfers' : 'LEDGER VERIFICATION FAILED',
  );
  return lines.join('\n');
}
