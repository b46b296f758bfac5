import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rollback } from '../db.js';
import { groupCommitQueueUnitsMax, SqliteDb } from './sqlite-db.js';
import { procedure } from './writer-lane-test-procedure.js';
import { WriterThreadError } from './writer-lane.js';

const testProcedureUrl = new URL('./writer-lane-test-procedure.ts', import.meta.url).href;

function withDb(run: (db: SqliteDb) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cashin-sqlite-'));
    const db = SqliteDb.open(join(dir, 'x.sqlite'));
    try {
      await run(db);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('SQLite group commit', () => {
  it(
    'runs durably: WAL and synchronous=FULL',
    withDb(async (db) => {
      expect(db.raw.pragma('journal_mode', { simple: true })).toBe('wal');
      // 2 = FULL.
      expect(db.raw.pragma('synchronous', { simple: true })).toBe(2);
    }),
  );

  it(
    'commits concurrent units in one transaction, and a Rollback undoes only its own unit',
    withDb(async (db) => {
      await db.transaction((tx) => tx.run('CREATE TABLE t (n INTEGER PRIMARY KEY)'));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, n) =>
          db.transaction(async (tx) => {
            await tx.run('INSERT INTO t (n) VALUES (?)', [n]);
            if (n === 4) throw new Rollback('undone');
            return 'kept';
          }),
        ),
      );
      expect(results.filter((r) => r === 'undone')).toHaveLength(1);
      const rows = await db.single<{ c: number }>('SELECT COUNT(*) AS c FROM t');
      expect(rows[0]?.c).toBe(9);
    }),
  );

  it(
    'refuses work beyond its queue bound instead of queueing without limit',
    withDb(async (db) => {
      const units = Array.from({ length: groupCommitQueueUnitsMax + 1 }, () =>
        db
          .transaction((tx) => tx.get('SELECT 1 AS one'))
          .then(
            () => 'done',
            (error: { code?: string }) => error.code ?? 'error',
          ),
      );
      const outcomes = await Promise.all(units);
      expect(outcomes.filter((o) => o === 'SERVICE_UNAVAILABLE')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'done')).toHaveLength(groupCommitQueueUnitsMax);
    }),
  );

  it(
    'runs writer-thread work, once started, durably beside the main connection, a failing item undoing only itself',
    withDb(async (db) => {
      await db.transaction((tx) => tx.run('CREATE TABLE t (n INTEGER PRIMARY KEY)'));
      expect(db.runInWriter(testProcedureUrl, procedure, { n: -1, fail: false })).toBeUndefined();
      await db.startWriter(testProcedureUrl);
      const inThread = Array.from({ length: 50 }, (_, n) => {
        const result = db.runInWriter(testProcedureUrl, procedure, { n, fail: n === 7 });
        if (result === undefined) throw new Error('a file database has a writer thread');
        return result.then(
          (value) => value,
          (error: unknown) => error,
        );
      });
      const inMain = Array.from({ length: 20 }, (_, n) =>
        db.transaction((tx) => tx.run('INSERT INTO t (n) VALUES (?)', [1_000 + n])),
      );
      const [threadResults] = await Promise.all([Promise.all(inThread), Promise.all(inMain)]);
      expect(threadResults[7]).toBeInstanceOf(WriterThreadError);
      const answered = threadResults.filter(
        (r): r is { n: number; synchronous: number } => !(r instanceof Error),
      );
      expect(answered).toHaveLength(49);
      // 2 = FULL: the thread's COMMIT waits for the disk like the main connection's.
      expect(new Set(answered.map((r) => r.synchronous))).toEqual(new Set([2]));
      const rows = await db.single<{ c: number; failed: number }>(
        'SELECT COUNT(*) AS c, SUM(n = 7) AS failed FROM t',
      );
      expect(rows[0]).toEqual({ c: 69, failed: 0 });
    }),
  );

  it('has no writer thread for an in-memory database, whose work runs in units instead', async () => {
    const db = SqliteDb.open(':memory:');
    try {
      await db.startWriter(testProcedureUrl);
      expect(db.runInWriter(testProcedureUrl, procedure, { n: 1, fail: false })).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});
