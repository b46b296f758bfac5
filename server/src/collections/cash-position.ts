import type { CashPosition, CurrencyCode } from '@cashin/shared';
import type { Deps } from '../deps.js';
import { csvText } from '../http/csv.js';
import type { AccountKind } from '../ledger/account-kinds.js';
import { accountKinds } from '../ledger/account-kinds.js';

type Position = CashPosition['currencies'][number];

/** The kinds the network holds cash in, debit-normal: what they hold is debits less credits. */
const cashKinds = ['kioskBag', 'storeDrawer', 'cashInTransit', 'bank'] as const satisfies AccountKind[];

/**
 * Where the money is, per currency, as of now. Wallets answer from their running balances; the other
 * kinds keep none (many transfers touch them at once), so their balances are the sums of their transfers,
 * debits and credits summed apart by kind, all in one statement. Each side is summed from its own
 * accounts, so `balanced` is a real check of the ledger per currency, not an identity of this code. It
 * reads every transfer of those accounts: an on-demand report, like `ledger:verify`, not to be polled.
 */
export async function cashPosition(deps: Pick<Deps, 'db' | 'clock'>): Promise<CashPosition> {
  const asOfMs = deps.clock.nowMs();
  // One statement, so PostgreSQL sums every side from one snapshot (separate statements in READ COMMITTED
  // would each see the deposits committed by then, and a deposit between them would unbalance the report).
  // Transfers are summed per account first, through the covering indexes of each side; the ledger never
  // lets a deposit credit an account without a running balance, so the credit side reads only the index
  // of transfers that are not deposits (as accounts.ts postedTotals does).
  const rows = await deps.db.single<{
    side: 'debits' | 'credits' | 'running';
    kind: AccountKind;
    currency: CurrencyCode;
    total: number | string;
  }>(
    `SELECT 'debits' AS side, a.kind AS kind, a.currency AS currency, SUM(x.total) AS total
       FROM (SELECT debit_account_id AS account_id, SUM(amount_minor) AS total
               FROM transfers GROUP BY debit_account_id) x
       JOIN accounts a ON a.id = x.account_id
      WHERE a.keeps_running_balance = 0 GROUP BY a.kind, a.currency
     UNION ALL
     SELECT 'credits' AS side, a.kind AS kind, a.currency AS currency, SUM(x.total) AS total
       FROM (SELECT credit_account_id AS account_id, SUM(amount_minor) AS total
               FROM transfers WHERE code <> 'deposit' GROUP BY credit_account_id) x
       JOIN accounts a ON a.id = x.account_id
      WHERE a.keeps_running_balance = 0 GROUP BY a.kind, a.currency
     UNION ALL
     SELECT 'running' AS side, kind, currency, SUM(debits_posted - credits_posted) AS total
       FROM accounts WHERE keeps_running_balance = 1 GROUP BY kind, currency`,
  );

  // Debits less credits per currency and kind.
  const net = new Map<CurrencyCode, Map<AccountKind, number>>();
  const add = (currency: CurrencyCode, kind: AccountKind, amount: number): void => {
    const kinds = net.get(currency) ?? new Map<AccountKind, number>();
    kinds.set(kind, (kinds.get(kind) ?? 0) + amount);
    net.set(currency, kinds);
  };
  for (const row of rows) add(row.currency, row.kind, (row.side === 'credits' ? -1 : 1) * Number(row.total));

  const currencies = [...net.keys()].sort().map((currency): Position => {
    const kinds = net.get(currency)!;
    const held = (kind: AccountKind): number => kinds.get(kind) ?? 0;
    const owed = (kind: AccountKind): number => -held(kind);
    const cashMinor = cashKinds.reduce((sum, kind) => sum + held(kind), 0);
    const others = accountKinds.filter((kind) => !(cashKinds as readonly AccountKind[]).includes(kind));
    const position = {
      currency,
      kioskBagsMinor: held('kioskBag'),
      storeDrawersMinor: held('storeDrawer'),
      cashInTransitMinor: held('cashInTransit'),
      bankMinor: held('bank'),
      cashMinor,
      walletsMinor: owed('wallet'),
      suspenseMinor: owed('suspense'),
      feeIncomeMinor: owed('feeIncome'),
      overShortMinor: owed('overShort'),
    };
    return { ...position, balanced: cashMinor === others.reduce((sum, kind) => sum + owed(kind), 0) };
  });
  return { asOfMs, currencies };
}

/** The cash position as CSV: a header and one row per currency, amounts in minor units (the names say so). */
export function cashPositionCsv(position: CashPosition): string {
  const asOf = new Date(position.asOfMs).toISOString();
  return csvText([
    [
      'as_of',
      'currency',
      'kiosk_bags_minor',
      'store_drawers_minor',
      'cash_in_transit_minor',
      'bank_minor',
      'cash_minor',
      'wallets_minor',
      'suspense_minor',
      'fee_income_minor',
      'over_short_minor',
      'balanced',
    ],
    ...position.currencies.map((one) => [
      asOf,
      one.currency,
      one.kioskBagsMinor,
      one.storeDrawersMinor,
      one.cashInTransitMinor,
      one.bankMinor,
      one.cashMinor,
      one.walletsMinor,
      one.suspenseMinor,
      one.feeIncomeMinor,
      one.overShortMinor,
      one.balanced,
    ]),
  ]);
}
