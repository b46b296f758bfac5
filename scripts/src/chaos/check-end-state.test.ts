import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from './check-end-state.js';
import { checkEndState, checkNames, formatChecks } from './check-end-state.js';
import type { EndState } from './end-state.js';
import { EndStateSchema } from './end-state.js';

// The end state of a real run (`npm run chaos -- --minutes 1 --seed 12 --save-end-state ...`: 20 kiosks,
// 4 tills, one SQLite server process killed twice, 11 agent kills, 33 link spells, 10 power-offs). Each
// test corrupts one thing in it and expects the checker to fail, naming the money concerned.
const fixture = EndStateSchema.parse(
  JSON.parse(
    readFileSync(path.join(import.meta.dirname, 'fixtures/end-state-seed12-sqlite.json'), 'utf8'),
  ) as unknown,
);

function corrupted(change: (state: EndState) => void): EndState {
  const state = structuredClone(fixture);
  change(state);
  return state;
}

function failing(checks: CheckResult[]): Record<string, readonly string[]> {
  return Object.fromEntries(checks.filter((check) => !check.ok).map((check) => [check.name, check.problems]));
}

/** A kiosk deposit that went to a wallet, and that wallet. */
function walletDeposit(state: EndState) {
  for (const kiosk of state.kiosks)
    for (const deposit of kiosk.deposits) {
      const transfer = state.ledger.transfers.find((t) => t.id === deposit.depositId);
      const wallet = state.ledger.accounts.find(
        (account) => account.id === transfer?.creditAccountId && account.kind === 'wallet',
      );
      if (transfer && wallet && deposit.totalMinor > 5) return { kiosk, deposit, transfer, wallet };
    }
  throw new Error('the fixture has no kiosk deposit to a wallet');
}

describe('the chaos end-state checker', () => {
  it('passes the real end state, every check', () => {
    const checks = checkEndState(fixture);
    expect(failing(checks)).toEqual({});
    expect(checks.map((check) => check.name)).toEqual(Object.values(checkNames));
    // The fixture means something: deposits, till sales and voids, suspense and a real ledger.
    expect(fixture.kiosks.flatMap((kiosk) => kiosk.deposits).length).toBeGreaterThan(50);
    expect(fixture.tills.flatMap((till) => till.sales).some((sale) => sale.outcome === 'voided')).toBe(true);
    expect(fixture.server.kioskDeposits.some((deposit) => deposit.creditedTo === 'suspense')).toBe(true);
  });

  it('fails on a transfer duplicated, naming the deposit', () => {
    const { deposit, transfer } = walletDeposit(fixture);
    const checks = checkEndState(corrupted((state) => state.ledger.transfers.push({ ...transfer })));
    const failed = failing(checks);
    expect(failed[checkNames.kioskDepositsOnce]).toEqual([
      expect.stringMatching(new RegExp(`deposit ${deposit.depositId} .*transferred 2 times`)),
    ]);
    expect(failed[checkNames.noUnexplainedTransfer]).toEqual([
      expect.stringContaining(`transfer ${deposit.depositId} appears 2 times`),
    ]);
    // The wallet's stored balance no longer matches its history either.
    expect(failed[checkNames.walletsEqualHistory]).toHaveLength(1);
  });

  it('fails on a coin missing from a deposit on its way to the ledger, naming the deposit', () => {
    const { deposit } = walletDeposit(fixture);
    const checks = checkEndState(
      corrupted((state) => {
        const transfer = state.ledger.transfers.find((t) => t.id === deposit.depositId)!;
        const wallet = state.ledger.accounts.find((account) => account.id === transfer.creditAccountId)!;
        transfer.amountMinor -= 5;
        wallet.creditsPostedMinor -= 5;
      }),
    );
    const failed = failing(checks);
    expect(failed[checkNames.kioskDepositsOnce]).toEqual([
      expect.stringMatching(new RegExp(`deposit ${deposit.depositId} .*was credited USD`)),
    ]);
    expect(failed[checkNames.moneyInEqualsCredited]).toEqual([expect.stringContaining('USD 0.05 missing')]);
  });

  it('fails on a coin the devices kept that the journal lost, naming the kiosk and the deposit', () => {
    const { kiosk, deposit } = walletDeposit(fixture);
    const checks = checkEndState(
      corrupted((state) => {
        const target = state.kiosks
          .find((k) => k.name === kiosk.name)!
          .deposits.find((d) => d.depositId === deposit.depositId)!;
        target.totalMinor -= 5;
        target.itemsMinor -= 5;
      }),
    );
    const failed = failing(checks);
    expect(failed[checkNames.devicesMatchJournals]).toEqual([
      expect.stringMatching(new RegExp(`kiosk ${kiosk.name}: .*USD 0.05 unaccounted`)),
    ]);
    expect(failed[checkNames.kioskDepositsOnce]).toEqual([
      expect.stringContaining(`deposit ${deposit.depositId} (kiosk ${kiosk.name} #${deposit.sequence}`),
    ]);
    expect(failed[checkNames.noSequenceGaps]).toEqual([expect.stringContaining(deposit.depositId)]);
  });

  it('fails on money a kiosk journaled with no deposit (never synced to suspense), naming the kiosk', () => {
    const kiosk = fixture.kiosks[0]!;
    const checks = checkEndState(
      corrupted((state) => {
        state.kiosks[0]!.strayMinor += 25;
        state.kiosks[0]!.devicesKeptMinor += 25;
      }),
    );
    const failed = failing(checks);
    expect(failed[checkNames.devicesMatchJournals]).toBeUndefined();
    expect(failed[checkNames.moneyInEqualsCredited]).toEqual([
      expect.stringContaining('USD 0.25 missing'),
      expect.stringMatching(new RegExp(`kiosk ${kiosk.name}: USD 0.25 journaled with no deposit`)),
    ]);
  });

  it('fails on a wallet off by one cent, naming the wallet and the deposits in its history', () => {
    const { deposit, wallet } = walletDeposit(fixture);
    const checks = checkEndState(
      corrupted((state) => {
        state.ledger.accounts.find((account) => account.id === wallet.id)!.creditsPostedMinor += 1;
      }),
    );
    const failed = failing(checks);
    expect(failed[checkNames.walletsEqualHistory]).toEqual([
      expect.stringMatching(new RegExp(`wallet ${wallet.id} .*off by USD 0.01.*${deposit.depositId}`)),
    ]);
    expect(failed[checkNames.debitsEqualCredits]).toHaveLength(1);
    expect(failed[checkNames.moneyInEqualsCredited]).toEqual([expect.stringContaining('USD 0.01 too much')]);
  });

  it('fails on a till sale the till believes committed that the ledger lacks, naming the sale', () => {
    const sale = fixture.tills[0]!.sales.find((s) => s.outcome === 'committed')!;
    const checks = checkEndState(
      corrupted((state) => {
        state.ledger.transfers = state.ledger.transfers.filter((t) => t.id !== sale.authorizationId);
      }),
    );
    expect(failing(checks)[checkNames.tillSalesOnce]).toEqual([
      expect.stringMatching(new RegExp(`till sale ${sale.authorizationId} .*transferred 0 times`)),
    ]);
  });

  it('fails on a voided sale left credited, naming the sale', () => {
    const sale = fixture.tills.flatMap((till) => till.sales).find((s) => s.outcome === 'voided')!;
    const checks = checkEndState(
      corrupted((state) => {
        state.ledger.transfers = state.ledger.transfers.filter((t) => t.reversesId !== sale.authorizationId);
      }),
    );
    expect(failing(checks)[checkNames.tillSalesOnce]).toEqual([
      expect.stringMatching(new RegExp(`till sale ${sale.authorizationId} .*0 reversals, expected 1`)),
    ]);
  });

  it('fails on a deposit that never reached the server, and on an open gap alert', () => {
    const { kiosk, deposit } = walletDeposit(fixture);
    const checks = checkEndState(
      corrupted((state) => {
        state.server.kioskDeposits = state.server.kioskDeposits.filter(
          (d) => d.depositId !== deposit.depositId,
        );
        state.server.openSequenceGapAlerts.push({ terminalId: kiosk.terminalId, detail: 'expected 3' });
      }),
    );
    expect(failing(checks)[checkNames.noSequenceGaps]).toEqual([
      expect.stringContaining(
        `deposit ${deposit.depositId} (kiosk ${kiosk.name} #${deposit.sequence}) never reached`,
      ),
      expect.stringContaining(`sequence-gap alert still open for terminal ${kiosk.terminalId}`),
    ]);
  });

  it('fails on a broken audit chain and on a till sale nobody answered', () => {
    const sale = fixture.tills[1]!.sales[0]!;
    const checks = checkEndState(
      corrupted((state) => {
        state.server.audit.ok = false;
        state.server.audit.breaks.push({ chain: 'terminal:x', seq: 4, problem: 'hashMismatch' });
        state.tills[1]!.sales[0]!.outcome = 'unknown';
      }),
    );
    const failed = failing(checks);
    expect(failed[checkNames.auditChain]).toEqual([expect.stringContaining('terminal:x breaks at entry 4')]);
    expect(failed[checkNames.tillSalesOnce]).toEqual([
      expect.stringContaining(`till sale ${sale.authorizationId}`),
    ]);
  });

  it('prints one row per check with the problems under the failing ones', () => {
    const { deposit, transfer } = walletDeposit(fixture);
    const table = formatChecks(
      checkEndState(corrupted((state) => state.ledger.transfers.push({ ...transfer }))),
    );
    const rows = table.split('\n').filter((line) => /^(PASS|FAIL) /.test(line));
    expect(rows).toHaveLength(Object.keys(checkNames).length);
    // Credited twice: the deposit, the duplicate id, the books (debits and credits) and the wallet's history.
    expect(rows.filter((row) => row.startsWith('FAIL'))).toHaveLength(4);
    expect(table).toContain(deposit.depositId);
  });
});
