import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { TestDb } from '../test-support/test-db.js';
import { openTestDb, postgresAvailable } from '../test-support/test-db.js';
import { seedDrawer, seedShopper, testDeps } from '../test-support/test-deps.js';
import { codeHash, creditDeposit } from './credit-deposit.js';
import { postgresFastDeposit } from './postgres-fast-deposit.js';

/** The stored function is PostgreSQL's alone; the contract suite covers its behaviour through creditDeposit. */
describe.skipIf(!postgresAvailable)('the one-round-trip deposit on PostgreSQL', () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await openTestDb('postgres');
  });
  afterAll(async () => {
    await testDb.dispose();
  });

  it('credits the common deposit itself and declines, writing nothing, what the general path must handle', async () => {
    const deps = testDeps(testDb.db);
    const drawer = await seedDrawer(deps);
    const shopper = await seedShopper(deps);
    const input = {
      id: deps.newId(),
      code: shopper.code,
      amountMinor: 2_500,
      currency: 'USD' as const,
      sourceAccountId: drawer,
      cashAlreadyTaken: false,
    };
    const fast = await postgresFastDeposit(deps, input, codeHash(input.code), deps.clock.nowMs());
    expect(fast).toMatchObject({ result: 'created', status: 'credited', maskedName: 'Ana R.' });
    // A replay is the general path's to answer.
    expect(await postgresFastDeposit(deps, input, codeHash(input.code), deps.clock.nowMs())).toBeUndefined();
    expect((await creditDeposit(deps, input)).result).toBe('exists');
    // Over the limit with the cash not yet taken: declined, so the general path can refuse with details.
    const big = { ...input, id: deps.newId(), amountMinor: 99_000 };
    expect(await postgresFastDeposit(deps, big, codeHash(big.code), deps.clock.nowMs())).toBeUndefined();
    const ledger = await verifyLedger(testDb.db);
    expect(ledger.ok).toBe(true);
    expect(ledger.transfers).toBe(1);
    // Its audit entry, hashed inside PostgreSQL, verifies with the same code as every other entry.
    expect((await verifyAudit(testDb.db)).ok).toBe(true);
  });
});
