import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { Db } from '../storage/db.js';
import type { TestDb } from '../test-support/test-db.js';
import { openTestDb, testAdapters } from '../test-support/test-db.js';
import { seedDrawer, seedShopper, testDeps } from '../test-support/test-deps.js';
import { creditDeposit } from './credit-deposit.js';

/**
 * Two server processes share one database: nothing that matters may live in process memory. Each "process"
 * here has its own connection (pool, or SQLite handle with its own group commit) and its own services.
 */
describe.each(testAdapters)('two processes on one %s database', (adapter) => {
  let testDb: TestDb;
  let second: Db;
  beforeEach(async () => {
    testDb = await openTestDb(adapter);
    second = await testDb.openAnother();
  });
  afterEach(async () => {
    await second.close();
    await testDb.dispose();
  });

  it('credits each deposit once when both receive every retry at the same time', async () => {
    const one = testDeps(testDb.db);
    const two = { ...testDeps(second), clock: one.clock, newId: one.newId };
    const drawer = await seedDrawer(one);
    const shoppers = [await seedShopper(one), await seedShopper(two)];
    const deposits = Array.from({ length: 20 }, (_, n) => ({
      id: one.newId(),
      code: shoppers[n % 2]!.code,
      amountMinor: 100 + n,
      currency: 'USD' as const,
      sourceAccountId: drawer,
      cashAlreadyTaken: false,
    }));
    const receipts = await Promise.all(
      deposits.flatMap((input) => [
        creditDeposit(one, input),
        creditDeposit(two, input),
        creditDeposit(one, input),
      ]),
    );
    expect(receipts.filter((r) => r.result === 'created')).toHaveLength(deposits.length);
    const report = await verifyLedger(testDb.db);
    expect(report.ok).toBe(true);
    expect(report.transfers).toBe(deposits.length);
  });
});
