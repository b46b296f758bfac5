import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../storage/db.js';
import { PostgresDb } from '../storage/postgres/postgres-db.js';
import { SqliteDb } from '../storage/sqlite/sqlite-db.js';

/**
 * Databases for tests: SQLite in a fresh temp dir, PostgreSQL in a freshly created schema that is dropped
 * afterwards, so parallel runs never meet. In CI (CI=true) PostgreSQL must be reachable or the run fails;
 * elsewhere its tests are skipped when it is not.
 */
export const testPostgresUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const inCi = process.env['CI'] === 'true';

async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: testPostgresUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (inCi)
      throw new Error(`PostgreSQL at ${testPostgresUrl} is unreachable and CI=true`, { cause: error });
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const postgresAvailable = await probePostgres();

export type AdapterName = 'sqlite' | 'postgres';

export interface TestDb {
  readonly db: Db;
  /** Another connection to the same database, as a second server process would open it. */
  openAnother(): Promise<Db>;
  dispose(): Promise<void>;
}

let schemaCounter = 0;

export async function openTestDb(adapter: AdapterName): Promise<TestDb> {
  if (adapter === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'cashin-test-'));
    const path = join(dir, 'server.sqlite');
    const db = SqliteDb.open(path);
    return {
      db,
      openAnother: () => Promise.resolve(SqliteDb.open(path)),
      async dispose() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  schemaCounter += 1;
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${schemaCounter}_${Math.random().toString(36).slice(2, 8)}`;
  const db = await PostgresDb.open({ connectionString: testPostgresUrl, schema, poolConnectionsMax: 10 });
  return {
    db,
    openAnother: () => PostgresDb.open({ connectionString: testPostgresUrl, schema, poolConnectionsMax: 10 }),
    async dispose() {
      await db.rawPool.query(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    },
  };
}

/** The adapters this run tests: both, or SQLite alone when PostgreSQL is away outside CI. */
export const testAdapters: AdapterName[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];
