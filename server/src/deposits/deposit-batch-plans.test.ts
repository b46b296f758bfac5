import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresDb } from '../storage/postgres/postgres-db.js';
import type { TestDb } from '../test-support/test-db.js';
import { openTestDb, postgresAvailable, testPostgresUrl } from '../test-support/test-db.js';
import { seedDrawer, seedShopper, testDeps } from '../test-support/test-deps.js';
import { creditDeposit } from './credit-deposit.js';

/**
 * PostgreSQL keeps the plans of a PL/pgSQL function's statements for the whole session. The deposit batch
 * function's plans must look rows up by index even when they are made on a new, nearly empty database:
 * a plan that scans deposits or transfers whole stays cached as those tables grow, and every batch then
 * pays for the whole table (measured: 1,000 us of PostgreSQL CPU per deposit instead of about 200).
 * auto_explain, loaded into one session, sends the plan of every statement the function runs to the
 * client as a notice.
 */
const scannedWhole =
  /Seq Scan on (deposits|transfers|accounts|deposit_codes|shoppers|audit_heads|wallet_caps)\b/;

describe.runIf(postgresAvailable)('the PostgreSQL deposit batch plans on a new database', () => {
  let testDb: TestDb;
  let session: PostgresDb | undefined;
  const plans: string[] = [];

  beforeEach(async () => {
    testDb = await openTestDb('postgres');
    if (!(testDb.db instanceof PostgresDb)) throw new Error('a PostgreSQL test database was asked for');
    const found = await testDb.db.rawPool.query<{ schema: string }>('SELECT current_schema() AS schema');
    const schema = found.rows[0]?.schema;
    // One connection, so every batch runs in the session auto_explain was loaded into.
    session = await PostgresDb.open({ connectionString: testPostgresUrl, schema, poolConnectionsMax: 1 });
    const client = await session.rawPool.connect();
    // The plan is the message; where it ran (inside the batch function) is its context.
    client.on('notice', (notice) => plans.push(`${notice.message ?? ''}\n${notice.where ?? ''}`));
    await client.query(`LOAD 'auto_explain'`);
    await client.query(`SET auto_explain.log_min_duration = 0`);
    await client.query(`SET auto_explain.log_nested_statements = on`);
    await client.query(`SET auto_explain.log_level = notice`);
    client.release();
  });
  afterEach(async () => {
    await session?.close();
    await testDb.dispose();
    plans.length = 0;
  });

  it('looks every row up by index, from the first batch on', async () => {
    if (session === undefined) throw new Error('no session');
    const deps = testDeps(session);
    const drawer = await seedDrawer(deps);
    const shoppers = [await seedShopper(deps), await seedShopper(deps)];
    plans.length = 0;
    // More batches than the five calls after which PostgreSQL would settle on a generic plan.
    for (let n = 0; n < 8; n += 1) {
      const shopper = shoppers[n % 2];
      if (shopper === undefined) throw new Error('no shopper');
      const receipt = await creditDeposit(deps, {
        id: deps.newId(),
        code: shopper.code,
        amountMinor: 1_000,
        currency: 'USD',
        sourceAccountId: drawer,
        cashAlreadyTaken: false,
      });
      expect(receipt.status).toBe('credited');
    }
    const batchPlans = plans.filter((plan) => plan.includes('cashin_credit_deposit_batch'));
    // Each call's own plan and the plans of the statements inside it, every call.
    expect(batchPlans.filter((plan) => plan.includes('FROM deposits d')).length).toBeGreaterThanOrEqual(8);
    expect(batchPlans.filter((plan) => scannedWhole.test(plan))).toEqual([]);
    expect(batchPlans.some((plan) => plan.includes('Index Only Scan using deposits_wallet_time'))).toBe(true);
  });
});
