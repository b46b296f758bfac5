import type { CurrencyCode } from '@cashin/shared';
import { createUuidV7Generator } from '@cashin/shared';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../storage/db.js';
import { readMigrations } from '../storage/migrations.js';
import type { TestDb } from '../test-support/test-db.js';
import { openTestDb, testAdapters } from '../test-support/test-db.js';
import type { AccountKind } from './account-kinds.js';
import { ensureAccount, findAccount, postedTotals } from './accounts.js';
import { createTransfers } from './ledger.js';
import type { TransferInput } from './transfer.js';
import { verifyLedger } from './verify-ledger.js';

const newId = createUuidV7Generator();
const nowMs = Date.UTC(2026, 5, 1);

/**
 * The ledger's own sums verified: every balance equals its transfers and debits equal credits. These
 * contract tests write bare transfers, without the deposit rows the product writes beside its deposits,
 * so the only business-row finding allowed is that those rows are missing.
 */
async function expectSumsVerified(db: Db): Promise<void> {
  const report = await verifyLedger(db);
  expect(report.discrepancies).toEqual([]);
  for (const total of Object.values(report.totals)) expect(total.debitsMinor).toBe(total.creditsMinor);
  for (const found of report.recordDiscrepancies)
    expect(found).toMatchObject({ record: 'deposit', problem: 'recordMissing' });
}

describe.each(testAdapters)('ledger contract on %s', (adapter) => {
  let testDb: TestDb;
  let db: Db;

  beforeEach(async () => {
    testDb = await openTestDb(adapter);
    db = testDb.db;
  });
  afterEach(async () => {
    await testDb.dispose();
  });

  function open(kind: AccountKind, ownerRef: string, currency: CurrencyCode = 'USD') {
    return db.transaction((tx) => ensureAccount(tx, { kind, ownerRef, currency }, newId, nowMs));
  }
  function create(transfers: TransferInput[]) {
    return db.transaction((tx) => createTransfers(tx, transfers, nowMs));
  }
  async function balanceOf(id: string) {
    return db.transaction(async (tx) => {
      const account = await findAccount(tx, id);
      if (account === undefined) throw new Error('no account');
      const totals = await postedTotals(tx, account);
      return totals.creditsPosted - totals.debitsPosted;
    });
  }

  it('records migrations once and reopens without reapplying them', async () => {
    const versions = await db.transaction((tx) =>
      tx.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'),
    );
    // Every migration file of the adapter, once each (PostgreSQL has more: its stored deposit functions).
    const files = readMigrations(join(import.meta.dirname, '../storage', adapter, 'migrations'));
    expect(versions.map((row) => row.version)).toEqual(files.map((migration) => migration.version));
    expect(versions.slice(0, adapter === 'sqlite' ? 5 : 7).map((row) => row.version)).toEqual(
      adapter === 'sqlite' ? [1, 2, 3, 4, 5] : [1, 2, 3, 4, 5, 6, 7],
    );
  });

  it('ensures one account per kind, owner and currency', async () => {
    const a = await open('storeDrawer', 's1');
    expect(await open('storeDrawer', 's1')).toBe(a);
    expect(await open('storeDrawer', 's1', 'MXN')).not.toBe(a);
  });

  it('answers result codes as values and dedupes ids forever', async () => {
    const drawer = await open('storeDrawer', 's1');
    const wallet = await open('wallet', 'w1');
    const mxnWallet = await open('wallet', 'w2', 'MXN');
    const id = newId();
    const deposit: TransferInput = {
      id,
      debitAccountId: drawer,
      creditAccountId: wallet,
      amountMinor: 500,
      currency: 'USD',
      code: 'deposit',
    };
    expect(await create([deposit])).toEqual(['created']);
    expect(await create([deposit])).toEqual(['exists']);
    expect(await create([{ ...deposit, amountMinor: 501 }])).toEqual(['existsWithDifferentFields']);
    expect(await create([{ ...deposit, id: newId(), creditAccountId: newId() }])).toEqual([
      'accountNotFound',
    ]);
    expect(await create([{ ...deposit, id: newId(), creditAccountId: mxnWallet }])).toEqual([
      'currencyMismatch',
    ]);
    expect(await create([{ ...deposit, id: newId(), creditAccountId: drawer }])).toEqual([
      'accountsMustBeDifferent',
    ]);
    expect(await create([{ ...deposit, id: newId(), amountMinor: 0 }])).toEqual(['amountMustBePositive']);
    // A deposit into an account summed from its transfers would be missed by the credit side's index.
    expect(
      await create([{ ...deposit, id: newId(), debitAccountId: wallet, creditAccountId: drawer }]),
    ).toEqual(['depositMustCreditRunningBalance']);
    expect(
      await create([
        {
          id: newId(),
          debitAccountId: wallet,
          creditAccountId: drawer,
          amountMinor: 501,
          currency: 'USD',
          code: 'adjustment',
        },
      ]),
    ).toEqual(['exceedsBalance']);
    expect(await balanceOf(wallet)).toBe(500);
    // The drawer is a hot account: no running balance, its totals are summed from transfers.
    expect(await balanceOf(drawer)).toBe(-500);
    await expectSumsVerified(db);
  });

  it('verification finds a deposit that credited an account summed from its transfers', async () => {
    const drawer = await open('storeDrawer', 's1');
    const bag = await open('kioskBag', 'k1');
    expect(await balanceOf(bag)).toBe(0);
    // Written past the ledger, which refuses it: the bag's summed totals cannot see it.
    await db.transaction((tx) =>
      tx.run(
        `INSERT INTO transfers (id, debit_account_id, credit_account_id, amount_minor, currency, code, created_at_ms)
         VALUES (?, ?, ?, 700, 'USD', 'deposit', ?)`,
        [newId(), drawer, bag, nowMs],
      ),
    );
    expect(await balanceOf(bag)).toBe(0);
    const report = await verifyLedger(db);
    expect(report.ok).toBe(false);
    expect(report.discrepancies.map((d) => [d.accountId, d.problem])).toEqual([
      [bag, 'depositIntoSummedAccount'],
    ]);
  });

  it('commits linked transfers together or not at all', async () => {
    const drawer = await open('storeDrawer', 's1');
    const wallet = await open('wallet', 'w1');
    const fees = await open('feeIncome', 'system');
    const ok = await create([
      {
        id: newId(),
        debitAccountId: drawer,
        creditAccountId: wallet,
        amountMinor: 1_000,
        currency: 'USD',
        code: 'deposit',
        linked: true,
      },
      {
        id: newId(),
        debitAccountId: wallet,
        creditAccountId: fees,
        amountMinor: 100,
        currency: 'USD',
        code: 'adjustment',
      },
    ]);
    expect(ok).toEqual(['created', 'created']);
    const failed = await create([
      {
        id: newId(),
        debitAccountId: drawer,
        creditAccountId: wallet,
        amountMinor: 1_000,
        currency: 'USD',
        code: 'deposit',
        linked: true,
      },
      {
        id: newId(),
        debitAccountId: wallet,
        creditAccountId: fees,
        amountMinor: 5_000,
        currency: 'USD',
        code: 'adjustment',
        linked: true,
      },
      {
        id: newId(),
        debitAccountId: drawer,
        creditAccountId: wallet,
        amountMinor: 1,
        currency: 'USD',
        code: 'deposit',
      },
    ]);
    expect(failed).toEqual(['linkedEventFailed', 'exceedsBalance', 'linkedEventFailed']);
    expect(await balanceOf(wallet)).toBe(900);
    const open_ = await create([
      {
        id: newId(),
        debitAccountId: drawer,
        creditAccountId: wallet,
        amountMinor: 1,
        currency: 'USD',
        code: 'deposit',
        linked: true,
      },
    ]);
    expect(open_).toEqual(['linkedEventChainOpen']);
    expect(await balanceOf(wallet)).toBe(900);
    await expectSumsVerified(db);
  });

  it('reverses a transfer once, mirrored, with a reason', async () => {
    const drawer = await open('storeDrawer', 's1');
    const wallet = await open('wallet', 'w1');
    const original = newId();
    await create([
      {
        id: original,
        debitAccountId: drawer,
        creditAccountId: wallet,
        amountMinor: 700,
        currency: 'USD',
        code: 'deposit',
      },
    ]);
    const reversal = (amountMinor = 700): TransferInput => ({
      id: newId(),
      debitAccountId: wallet,
      creditAccountId: drawer,
      amountMinor,
      currency: 'USD',
      code: 'reversal',
      reversesId: original,
      reason: 'keyed wrong amount',
    });
    expect(await create([reversal(600)])).toEqual(['reversalMustMirrorTarget']);
    expect(await create([{ ...reversal(), reversesId: newId() }])).toEqual(['reversalTargetNotFound']);
    expect(await create([reversal()])).toEqual(['created']);
    expect(await create([reversal()])).toEqual(['alreadyReversed']);
    expect(await balanceOf(wallet)).toBe(0);
  });

  it('lets one failing unit fail alone when many are committed together', async () => {
    const drawer = await open('storeDrawer', 's1');
    const wallet = await open('wallet', 'w1');
    const units = Array.from({ length: 40 }, (_, index) =>
      db
        .transaction(async (tx) => {
          const [result] = await createTransfers(
            tx,
            [
              {
                id: newId(),
                debitAccountId: drawer,
                creditAccountId: wallet,
                amountMinor: 10,
                currency: 'USD',
                code: 'deposit',
              },
            ],
            nowMs,
          );
          if (index % 10 === 3) throw new Error('this unit fails after writing');
          return result;
        })
        .then(
          (result) => ({ ok: true, result }),
          () => ({ ok: false, result: undefined }),
        ),
    );
    const outcomes = await Promise.all(units);
    expect(outcomes.filter((o) => !o.ok)).toHaveLength(4);
    expect(outcomes.filter((o) => o.ok).every((o) => o.result === 'created')).toBe(true);
    expect(await balanceOf(wallet)).toBe(360);
    await expectSumsVerified(db);
  });

  it('never takes a wallet below zero under concurrent debits', async () => {
    const drawer = await open('storeDrawer', 's1');
    const wallet = await open('wallet', 'w1');
    await create([
      {
        id: newId(),
        debitAccountId: drawer,
        creditAccountId: wallet,
        amountMinor: 1_000,
        currency: 'USD',
        code: 'deposit',
      },
    ]);
    const debits = await Promise.all(
      Array.from({ length: 25 }, () =>
        create([
          {
            id: newId(),
            debitAccountId: wallet,
            creditAccountId: drawer,
            amountMinor: 100,
            currency: 'USD',
            code: 'adjustment',
          },
        ]),
      ),
    );
    expect(debits.flat().filter((r) => r === 'created')).toHaveLength(10);
    expect(debits.flat().filter((r) => r === 'exceedsBalance')).toHaveLength(15);
    expect(await balanceOf(wallet)).toBe(0);
  });
});
