import { buildApp, createLogger } from './app.js';
import { loadConfig } from './config.js';
import { prepareDepositPath } from './deposits/credit-deposit.js';
import { openDb } from './storage/open-db.js';

/** Shutdown gets this long to finish in-flight requests before the process exits anyway. */
const shutdownGraceMs = 10_000;

const config = loadConfig(process.env);
const logger = createLogger(config);
const db = await openDb(config.storage);
// The SQLite writer thread (when configured) starts while the app is built; the server listens once
// both are ready.
const [app] = await Promise.all([
  buildApp(config, { db, logger }),
  config.sqliteWriterThread ? prepareDepositPath(db) : Promise.resolve(),
]);
await app.listen({ port: config.port, host: config.host });

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const forced = setTimeout(() => process.exit(1), shutdownGraceMs);
  forced.unref();
  await app.close();
  await db.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
