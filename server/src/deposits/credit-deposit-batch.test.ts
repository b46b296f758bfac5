import { CodedError, generateCode } from '@cashin/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import { PostgresDb } from '../storage/postgres/postgres-db.js';
import { SqliteDb } from '../storage/sqlite/sqlite-db.js';
import type { TestDb } from '../test-support/test-db.js';
import { openTestDb, testAdapters } from '../test-support/test-db.js';
import { seedDrawer, seedShopper, testDeps } from '../test-support/test-deps.js';
import type { CreditDepositInput } from './credit-deposit.js';
import { creditDeposit, prepareDepositPath } from './credit-deposit.js';

/**
 * Deposits submitted together are committed together (one group commit on SQLite, one batched call on
 * PostgreSQL); each still gets its own answer, and one that fails inside the database fails alone.
 */
const variants = [
  ...testAdapters.map((adapter) => ({ adapter, writerThread: false })),
  // How the server runs SQLite: the common deposit commits in the writer thread (main.ts starts it).
  { adapter: 'sqlite' as const, writerThread: true },
];

describe.each(variants)(
  'deposits committed together on $adapter (writer thread: $writerThread)',
  (variant) => {
    let testDb: TestDb;
    beforeEach(async () => {
      testDb = await openTestDb(variant.adapter);
      if (variant.writerThread) await prepareDepositPath(testDb.db);
    });
    afterEach(async () => {
      await testDb.dispose();
    });

    /** Makes the database itself refuse the deposit row of one id, as a disk or constraint error would. */
    async function failInsideTheDatabase(id: string): Promise<void> {
      const db = testDb.db;
      if (db instanceof SqliteDb) {
        db.raw.exec(
          `CREATE TRIGGER fail_one BEFORE INSERT ON deposits WHEN NEW.transfer_id = '${id}'
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
        );
      } else if (db instanceof PostgresDb) {
        await db.rawPool.query(`
        CREATE FUNCTION fail_one() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.transfer_id = '${id}' THEN RAISE EXCEPTION 'refused by the test'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER fail_one BEFORE INSERT ON deposits FOR EACH ROW EXECUTE FUNCTION fail_one();`);
      }
    }

    it('answers each deposit with its own result, and a failing one fails alone', async () => {
      const deps = testDeps(testDb.db);
      const drawer = await seedDrawer(deps);
      const ana = await seedShopper(deps);
      const ben = await seedShopper(deps);
      const cleo = await seedShopper(deps);
      const failingId = deps.newId();
      await failInsideTheDatabase(failingId);
      const base = {
        amountMinor: 2_500,
        currency: 'USD' as const,
        sourceAccountId: drawer,
        cashAlreadyTaken: false,
      };
      const replayed: CreditDepositInput = { ...base, id: deps.newId(), code: ana.code };
      const inputs: CreditDepositInput[] = [
        { ...base, id: deps.newId(), code: ana.code },
        replayed,
        { ...base, id: deps.newId(), code: generateCode('deposit') },
        { ...base, id: deps.newId(), code: ben.code, amountMinor: 999_999_00 },
        { ...base, id: failingId, code: cleo.code },
        replayed,
        { ...base, id: deps.newId(), code: cleo.code },
        { ...base, id: deps.newId(), code: ben.code, cashAlreadyTaken: true, amountMinor: 999_999_00 },
      ];
      const settled = await Promise.allSettled(inputs.map((input) => creditDeposit(deps, input)));
      const answers = settled.map((outcome) =>
        outcome.status === 'fulfilled'
          ? `${outcome.value.result}:${outcome.value.status}`
          : outcome.reason instanceof CodedError
            ? outcome.reason.code
            : 'failed',
      );
      expect(answers).toEqual([
        'created:credited',
        'created:credited',
        'CODE_UNKNOWN',
        'LIMIT_EXCEEDED',
        'failed',
        'exists:credited',
        'created:credited',
        'created:inReview',
      ]);
      const ledger = await verifyLedger(testDb.db);
      expect(ledger.ok).toBe(true);
      expect(ledger.transfers).toBe(4);
      expect((await verifyAudit(testDb.db)).ok).toBe(true);
      const failed = await testDb.db.transaction((tx) =>
        tx.get('SELECT transfer_id FROM deposits WHERE transfer_id = ?', [failingId]),
      );
      expect(failed).toBeUndefined();
    });
  },
);
