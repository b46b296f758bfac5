import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../storage/db.js';

export interface Metrics {
  readonly registry: Registry;
  readonly depositsCredited: Counter<'status'>;
}

/** One registry per app (not prom-client's global), so tests can build many apps in one process. */
export function installMetrics(app: FastifyInstance, db: Db): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const depositsCredited = new Counter({
    name: 'deposits_credited_total',
    help: 'Deposits credited (first time, not replays), by status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'ledger_posted_minor',
    help: 'Sum of all posted transfers per currency, in minor units (read from the database on scrape)',
    labelNames: ['currency'] as const,
    registers: [registry],
    async collect() {
      const rows = await db.transaction((tx) =>
        tx.all<{ currency: string; total: number | string }>(
          'SELECT currency, SUM(amount_minor) AS total FROM transfers GROUP BY currency',
        ),
      );
      this.reset();
      for (const row of rows) this.set({ currency: row.currency }, Number(row.total));
    },
  });
  new Gauge({
    name: 'ledger_wallet_liabilities_minor',
    help: 'What all wallets hold per currency, in minor units (read from the database on scrape)',
    labelNames: ['currency'] as const,
    registers: [registry],
    async collect() {
      const rows = await db.transaction((tx) =>
        tx.all<{ currency: string; total: number | string }>(
          "SELECT currency, SUM(credits_posted - debits_posted) AS total FROM accounts WHERE kind = 'wallet' GROUP BY currency",
        ),
      );
      this.reset();
      for (const row of rows) this.set({ currency: row.currency }, Number(row.total));
    },
  });
  app.addHook('onResponse', (request, reply, done) => {
    latency.observe(
      {
        route: request.routeOptions.url ?? 'unknown',
        method: request.method,
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  return { registry, depositsCredited };
}
