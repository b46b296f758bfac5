import { createUuidV7Generator } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db, Row, SqlValue, Tx } from '../storage/db.js';
import type { TestDb } from '../test-support/test-db.js';
import { openTestDb, testAdapters } from '../test-support/test-db.js';
import { ensureAccount } from './accounts.js';
import { createTransfers } from './ledger.js';
import { verifyLedger } from './verify-ledger.js';

const newId = createUuidV7Generator();
const nowMs = Date.UTC(2026, 5, 1);

/** The database as verifyLedger sees it, with `between` run right after its first statement. */
function writingAfterFirstStatement(db: Db, between: () => Promise<void>): Db {
  let statements = 0;
  const after = async <T>(value: T): Promise<T> => {
    statements += 1;
    if (statements === 1) await between();
    return value;
  };
  return {
    dialect: db.dialect,
    transaction: (body, options) =>
      db.transaction((tx) => {
        const watched: Tx = {
          dialect: tx.dialect,
          all: async <R extends Row>(sql: string, params?: readonly SqlValue[]) =>
            after(await tx.all<R>(sql, params)),
          get: async <R extends Row>(sql: string, params?: readonly SqlValue[]) =>
            after(await tx.get<R>(sql, params)),
          run: async (sql, params) => after(await tx.run(sql, params)),
          savepoint: (inner) => tx.savepoint(inner),
        };
        return body(watched);
      }, options),
    single: (sql, params) => db.single(sql, params),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}

describe.each(testAdapters)('ledger verification on %s', (adapter) => {
  let testDb: TestDb | undefined;
  const others: Db[] = [];
  afterEach(async () => {
    for (const other of others.splice(0)) await other.close();
    await testDb?.dispose();
    testDb = undefined;
  });

  // PostgreSQL: another server process commits a deposit between verification's statements; at READ
  // COMMITTED the transfer sums then include it and the wallet's running balance read before does not.
  // SQLite: the deposit queues behind verification's unit, which must see none of it either.
  it('reads one snapshot while deposits commit beside it', async () => {
    testDb = await openTestDb(adapter);
    const { db } = testDb;
    const [drawer, wallet] = await db.transaction(async (tx) => [
      await ensureAccount(tx, { kind: 'storeDrawer', ownerRef: 's1', currency: 'USD' }, newId, nowMs),
      await ensureAccount(tx, { kind: 'wallet', ownerRef: 'shopper-1', currency: 'USD' }, newId, nowMs),
    ]);
    const deposit = (into: Db) =>
      into.transaction((tx) =>
        createTransfers(
          tx,
          [
            {
              id: newId(),
              debitAccountId: drawer,
              creditAccountId: wallet,
              amountMinor: 500,
              currency: 'USD',
              code: 'deposit',
            },
          ],
          nowMs,
        ),
      );
    expect(await deposit(db)).toEqual(['created']);
    const other = adapter === 'postgres' ? await testDb.openAnother() : db;
    if (other !== db) others.push(other);
    let queued: Promise<unknown> | undefined;
    const report = await verifyLedger(
      writingAfterFirstStatement(db, async () => {
        queued = deposit(other);
        if (adapter === 'postgres') expect(await queued).toEqual(['created']);
      }),
    );
    expect(report.discrepancies).toEqual([]);
    expect(report).toMatchObject({ ok: true, transfers: 1 });
    await queued;
    expect(await verifyLedger(db)).toMatchObject({ ok: true, transfers: 2 });
  });
});
