import { afterEach, describe, expect, it } from 'vitest';
import type { Db, Tx } from '../storage/db.js';
import type { TestDb } from '../test-support/test-db.js';
import { openTestDb, testAdapters } from '../test-support/test-db.js';
import type { AuditEntry } from './audit-log.js';
import { appendAudit } from './audit-log.js';
import { verifyAudit } from './audit-verify.js';

const entry = (subject: string, n: number): AuditEntry => ({
  kind: 'store.created',
  subject,
  data: { n },
});

/** The database as verifyAudit sees it, with `between` run after its first transaction (the heads). */
function writingAfterFirstRead(db: Db, between: () => Promise<void>): Db {
  let reads = 0;
  return {
    dialect: db.dialect,
    transaction: async <T>(body: (tx: Tx) => Promise<T>): Promise<T> => {
      const value = await db.transaction(body);
      reads += 1;
      if (reads === 1) await between();
      return value;
    },
    single: (sql, params) => db.single(sql, params),
    ping: () => db.ping(),
    close: () => db.close(),
  };
}

describe.each(testAdapters)('audit verification on %s', (adapter) => {
  let testDb: TestDb | undefined;
  afterEach(async () => {
    await testDb?.dispose();
    testDb = undefined;
  });

  it('reports no break for entries written while it walks, and still finds a forged one', async () => {
    testDb = await openTestDb(adapter);
    const { db } = testDb;
    let atMs = Date.UTC(2026, 5, 1);
    const append = (subject: string, n: number) =>
      db.transaction((tx) => appendAudit(tx, entry(subject, n), (atMs += 1_000)));
    for (let n = 1; n <= 3; n += 1) await append('S00001', n);
    await append('S00002', 1);
    // A chain grows and a new one starts after the heads were read, before the entries are.
    const report = await verifyAudit(
      writingAfterFirstRead(db, async () => {
        await append('S00001', 4);
        await append('S00003', 1);
      }),
    );
    expect(report.breaks).toEqual([]);
    // S00001's fourth entry waits for the next run; the new chain is walked, its head found at the end.
    expect(report).toMatchObject({ ok: true, chains: 2, entries: 5 });
    expect(await verifyAudit(db)).toMatchObject({ ok: true, chains: 3, entries: 6 });

    // An entry forged past its head (the head left alone) is still a break, read during a walk or not.
    await db.transaction((tx) =>
      tx.run(
        "INSERT INTO audit_log (chain, seq, at_ms, kind, data, hash) VALUES ('S00002', 2, 0, 'store.created', '{}', 'forged')",
      ),
    );
    expect((await verifyAudit(db)).breaks).toEqual([{ chain: 'S00002', seq: 2, problem: 'headMismatch' }]);
    // A chain whose head was deleted is still found.
    await db.transaction((tx) => tx.run("DELETE FROM audit_heads WHERE chain = 'S00003'"));
    expect((await verifyAudit(db)).breaks).toContainEqual({
      chain: 'S00003',
      seq: 1,
      problem: 'headMissing',
    });
  });
});
