import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDb } from '../../test-support/test-db.js';
import { openTestDb, postgresAvailable } from '../../test-support/test-db.js';
import { isRetryableAbort } from './postgres-db.js';
import type { PostgresDb } from './postgres-db.js';

function signal(): { promise: Promise<void>; fire: () => void } {
  let fire = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { promise, fire };
}

describe.runIf(postgresAvailable)('PostgreSQL transactions', () => {
  let test: TestDb;
  let db: PostgresDb;

  beforeAll(async () => {
    test = await openTestDb('postgres');
    db = test.db as PostgresDb;
    await db.rawPool.query('CREATE TABLE lock_pair (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await db.rawPool.query('INSERT INTO lock_pair (id, n) VALUES (1, 0), (2, 0)');
  });
  afterAll(async () => {
    await test.dispose();
  });

  it('runs again the transaction PostgreSQL aborted to break a deadlock, so both commit', async () => {
    const firstLocked = signal();
    const secondLocked = signal();
    let attempts = 0;
    const bump = 'UPDATE lock_pair SET n = n + 1 WHERE id = ?';
    // Each takes one row, waits until the other holds the other row, then asks for it: a lock cycle.
    const first = db.transaction(async (tx) => {
      attempts += 1;
      await tx.run(bump, [1]);
      firstLocked.fire();
      await secondLocked.promise;
      await tx.run(bump, [2]);
    });
    const second = db.transaction(async (tx) => {
      attempts += 1;
      await tx.run(bump, [2]);
      secondLocked.fire();
      await firstLocked.promise;
      await tx.run(bump, [1]);
    });
    await Promise.all([first, second]);
    expect(attempts).toBe(3);
    const rows = await db.rawPool.query<{ id: number; n: number }>('SELECT id, n FROM lock_pair ORDER BY id');
    expect(rows.rows.map((row) => row.n)).toEqual([2, 2]);
  });

  it('retries only aborts that rolled the whole transaction back', () => {
    expect(isRetryableAbort({ code: '40P01' })).toBe(true);
    expect(isRetryableAbort({ code: '40001' })).toBe(true);
    expect(isRetryableAbort({ code: '23505' })).toBe(false);
    expect(isRetryableAbort(new Error('deadlock detected'))).toBe(false);
  });
});
