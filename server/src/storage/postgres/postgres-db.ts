import { join } from 'node:path';
import pg from 'pg';
import type { Db, Row, SqlValue, TransactionOptions, Tx } from '../db.js';
import { Rollback } from '../db.js';
import { readMigrations } from '../migrations.js';

const migrationsFolder = join(import.meta.dirname, 'migrations');

/** Connections per server process; several processes share one PostgreSQL, so keep each modest. */
export const postgresPoolConnectionsMax = 40;

/** How long a request waits for a free pooled connection before it fails instead of hanging. */
export const postgresConnectionWaitMsMax = 5_000;

/**
 * How often a transaction PostgreSQL aborted to break a deadlock (40P01) or a serialization failure
 * (40001) is run again from the start. The victim's work was rolled back whole, so running the body again
 * is safe; the bound keeps a pathological lock cycle from retrying forever.
 */
export const postgresTransactionRetriesMax = 4;

/** The SQLSTATEs whose transaction was rolled back whole and may simply be run again. */
const retryableSqlStates: ReadonlySet<string> = new Set(['40P01', '40001']);

export function isRetryableAbort(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' && retryableSqlStates.has(code);
}

/** Any two migrating processes serialise on this advisory lock (an arbitrary constant of ours). */
const migrationLockKey = 0x63617368;

const int8Oid = 20;

/**
 * BIGINT columns arrive as numbers. Every stored amount is a safe integer by construction (the schemas
 * refuse more); a value outside that range means corruption and must stop the process, not round.
 */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`BIGINT ${text} is outside the safe-integer range`);
  return value;
}

const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === int8Oid ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

interface PreparedQuery {
  readonly name: string;
  readonly text: string;
}

const preparedQueries = new Map<string, PreparedQuery>();

/** Named statements are prepared once per connection and reused; our SQL is static, so the set is small. */
function prepared(sql: string): PreparedQuery {
  let query = preparedQueries.get(sql);
  if (query === undefined) {
    query = { name: `q${preparedQueries.size}`, text: toPostgresPlaceholders(sql) };
    preparedQueries.set(sql, query);
  }
  return query;
}

const placeholderCache = new Map<string, string>();

/** `?` placeholders (the SQL both adapters share) to PostgreSQL's `$1, $2, ...`. */
function toPostgresPlaceholders(sql: string): string {
  let converted = placeholderCache.get(sql);
  if (converted === undefined) {
    let index = 0;
    converted = sql.replace(/\?/g, () => `$${++index}`);
    placeholderCache.set(sql, converted);
  }
  return converted;
}

export interface PostgresOptions {
  readonly connectionString: string;
  /** Tests run in their own schema; every connection sets its search_path to it. */
  readonly schema?: string;
  readonly poolConnectionsMax?: number;
}

/**
 * PostgreSQL through a pg Pool at READ COMMITTED. Concurrency safety comes from row locks taken in a
 * fixed order (conditional UPDATEs on wallet rows, FOR UPDATE on an audit chain head), not SERIALIZABLE,
 * which fails most transactions on contended rows.
 */
export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  static async open(options: PostgresOptions): Promise<PostgresDb> {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error('bad schema name');
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolConnectionsMax ?? postgresPoolConnectionsMax,
      connectionTimeoutMillis: postgresConnectionWaitMsMax,
      types: typeParsers,
      ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client that errors (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const store = new PostgresDb(pool);
    if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)',
      );
      const applied = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (row) => row.version,
        ),
      );
      for (const migration of readMigrations(migrationsFolder)) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)',
            [migration.version, migration.name, Date.now()],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]);
      client.release();
    }
  }

  /**
   * Runs `body` in one transaction. Concurrent transactions lock rows in a fixed order wherever they can,
   * but two server processes crediting overlapping wallets from different paths can still meet in a lock
   * cycle; PostgreSQL then aborts one of them, which is run again here (up to
   * postgresTransactionRetriesMax times) instead of answering the caller with a 500.
   */
  async transaction<T>(body: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.transactionOnce(body, options);
      } catch (error) {
        if (attempt >= postgresTransactionRetriesMax || !isRetryableAbort(error)) throw error;
      }
    }
  }

  private async transactionOnce<T>(body: (tx: Tx) => Promise<T>, options: TransactionOptions): Promise<T> {
    const client = await this.pool.connect();
    let savepointDepth = 0;
    const query = async <R extends Row>(sql: string, params: readonly SqlValue[]) =>
      client.query<R>({ ...prepared(sql), values: params as SqlValue[] });
    const tx: Tx = {
      dialect: 'postgres',
      all: async <R extends Row>(sql: string, params: readonly SqlValue[] = []) =>
        (await query<R>(sql, params)).rows,
      get: async <R extends Row>(sql: string, params: readonly SqlValue[] = []) =>
        (await query<R>(sql, params)).rows[0] as R | undefined,
      run: async (sql: string, params: readonly SqlValue[] = []) => (await query(sql, params)).rowCount ?? 0,
      savepoint: async <R>(inner: () => Promise<R>): Promise<R> => {
        const name = `sp${savepointDepth++}`;
        await client.query(`SAVEPOINT ${name}`);
        try {
          const value = await inner();
          await client.query(`RELEASE SAVEPOINT ${name}`);
          return value;
        } catch (error) {
          await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
          throw error;
        } finally {
          savepointDepth -= 1;
        }
      },
    };
    let broken = false;
    try {
      await client.query(
        options.readOnlySnapshot === true ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN',
      );
      let value: T;
      try {
        value = await body(tx);
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // A connection whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
          broken = true;
          throw rollbackError;
        }
        if (error instanceof Rollback) return error.value as T;
        throw error;
      }
      await client.query('COMMIT');
      return value;
    } finally {
      client.release(broken ? true : undefined);
    }
  }

  async single<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    // Named: parsed and planned once per connection, like every statement inside a transaction.
    const result = await this.pool.query<T>({ ...prepared(sql), values: params as SqlValue[] });
    return result.rows;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** For the insert-only benchmark baseline and for dropping a test schema. */
  get rawPool(): pg.Pool {
    return this.pool;
  }
}
