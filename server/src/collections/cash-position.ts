import type { CashPosition, CurrencyCode } from '@cashin/shared';
import type { Deps } from '../deps.js';
import type { AccountKind } from '../ledger/account-kinds.js';
import { accountKinds } from '../ledger/account-kinds.js';

type Position = CashPosition['currencies'][number];

/** The kinds the network holds cash in, debit-normal: what they hold is debits less credits. */
const cashKinds = ['kioskBag', 'storeDrawer', 'cashInTransit', 'bank'] as const satisfies AccountKind[];

/**
 * Where the money is, per currency, as of now. Wallets answer from their running balances; the other
 * kinds keep none (many transfers touch them at once), so their balances are the sums of their transfers,
 * debits and credits summed apart by kind. Each side is summed from its own accounts, so `balanced` is a
 * real check of the ledger per currency, not an identity of this code. It reads every transfer of those
 * accounts: an on-demand report, like `ledger:verify`, not something to poll.
 */
export async function cashPosition(deps: Pick<Deps, 'db' | 'clock'>): Promise<CashPosition> {
  const asOfMs = deps.clock.nowMs();
  const sums = await deps.db.transaction(async (tx) => {
    const side = (column: 'debit_account_id' | 'credit_account_id') =>
      tx.all<{ kind: AccountKind; currency: CurrencyCode; total: number | string }>(
        `SELECT a.kind AS kind, a.currency AS currency, SUM(t.amount_minor) AS total
           FROM transfers t JOIN accounts a ON a.id = t.${column}
          WHERE a.keeps_running_balance = 0
          GROUP BY a.kind, a.currency`,
      );
    const running = await tx.all<{ kind: AccountKind; currency: CurrencyCode; total: number | string }>(
      `SELECT kind, currency, SUM(debits_posted - credits_posted) AS total FROM accounts
        WHERE keeps_running_balance = 1 GROUP BY kind, currency`,
    );
    return { debits: await side('debit_account_id'), credits: await side('credit_account_id'), running };
  });

  // Debits less credits per currency and kind.
  const net = new Map<CurrencyCode, Map<AccountKind, number>>();
  const add = (currency: CurrencyCode, kind: AccountKind, amount: number): void => {
    const kinds = net.get(currency) ?? new Map<AccountKind, number>();
    kinds.set(kind, (kinds.get(kind) ?? 0) + amount);
    net.set(currency, kinds);
  };
  for (const row of sums.debits) add(row.currency, row.kind, Number(row.total));
  for (const row of sums.credits) add(row.currency, row.kind, -Number(row.total));
  for (const row of sums.running) add(row.currency, row.kind, Number(row.total));

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
