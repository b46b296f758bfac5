import type { Config } from '../config.js';
import type { Db } from './db.js';
import { PostgresDb } from './postgres/postgres-db.js';
import { SqliteDb } from './sqlite/sqlite-db.js';

/** Opens the configured adapter and applies its pending migrations. */
export async function openDb(storage: Config['storage']): Promise<Db> {
  if (storage.kind === 'sqlite') return SqliteDb.open(storage.path);
  return PostgresDb.open({
    connectionString: storage.url,
    ...(storage.schema !== undefined ? { schema: storage.schema } : {}),
  });
}
