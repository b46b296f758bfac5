import Fastify from 'fastify';
import pg from 'pg';
import { randomUUID } from 'node:crypto';

/**
 * The PostgreSQL baseline: one autocommitted INSERT of a deposit-shaped row per request, no ledger,
 * no checks. The deposit path is measured against what the same HTTP stack and pool do with that alone.
 */
const [portText, url, schema] = process.argv.slice(2);
if (url === undefined || schema === undefined)
  throw new Error('usage: pg-insert-server <port> <url> <schema>');
const poolConnectionsMax = 40;
const pool = new pg.Pool({
  connectionString: url,
  max: poolConnectionsMax,
  options: `-c search_path=${schema}`,
});
await pool.query(
  'CREATE TABLE IF NOT EXISTS baseline_deposits (id TEXT PRIMARY KEY, wallet TEXT NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, created_at_ms BIGINT NOT NULL)',
);
const app = Fastify({ logger: false });
app.post('/insert', async () => {
  await pool.query('INSERT INTO baseline_deposits VALUES ($1, $2, $3, $4, $5)', [
    randomUUID(),
    'w',
    1000,
    'USD',
    Date.now(),
  ]);
  return { ok: true };
});
await app.listen({ port: Number(portText), host: '127.0.0.1' });
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
