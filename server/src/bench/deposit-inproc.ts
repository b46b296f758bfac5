import { createUuidV7Generator, loadLimits, realClock } from '@cashin/shared';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import type { Deps } from '../deps.js';
import { creditDeposit } from '../deposits/credit-deposit.js';
import { ensureAccount } from '../ledger/accounts.js';
import { createShopper } from '../shoppers/shoppers.js';
import type { Db } from '../storage/db.js';
import { PostgresDb } from '../storage/postgres/postgres-db.js';
import { SqliteDb } from '../storage/sqlite/sqlite-db.js';
import type { MessageSender } from '../shoppers/message-sender.js';

/**
 * The deposit path without HTTP: `tsx src/bench/deposit-inproc.ts sqlite|postgres [inFlight] [seconds] [wallets]`
 * keeps `inFlight` creditDeposit calls going and prints deposits per second and the microseconds of
 * this process's CPU each one cost. A tool for finding where a deposit's time goes, not part of the table.
 */
const adapter = process.argv[2] ?? 'sqlite';
const inFlight = Number(process.argv[3] ?? 128);
const seconds = Number(process.argv[4] ?? 5);
const walletsCount = Number(process.argv[5] ?? 500);
const postgresUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const dir = mkdtempSync(join(tmpdir(), 'cashin-inproc-'));
const schema = `inproc_${process.pid}`;
const db: Db =
  adapter === 'sqlite'
    ? SqliteDb.open(join(dir, 'server.sqlite'))
    : await PostgresDb.open({ connectionString: postgresUrl, schema });
const tier = { walletDailyMaxMinor: 1e13, walletMonthlyMaxMinor: 1e13, walletDepositsPerDayMax: 1e9 };
const newId = createUuidV7Generator();
const deps: Deps = {
  db,
  clock: realClock(),
  limits: loadLimits({ money: { USD: { tiers: { 0: tier, 1: tier } } } }),
  newId,
  messageSender: { send: () => Promise.resolve() } satisfies MessageSender,
  claimCodeSecret: 'bench-claim-code-secret-0123456789abcdef',
  logger: pino({ level: 'silent' }),
};
const drawer = await db.transaction((tx) =>
  ensureAccount(tx, { kind: 'storeDrawer', ownerRef: 'bench', currency: 'USD' }, newId, Date.now()),
);
const codes: string[] = [];
for (let n = 0; n < walletsCount; n += 1) {
  const { depositCode } = await createShopper(deps, {
    phone: `+1555${String(n).padStart(7, '0')}`,
    language: 'en',
    currency: 'USD',
  });
  codes.push(depositCode);
}

async function run(durationMs: number): Promise<number> {
  let done = 0;
  let next = 0;
  const endMs = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < endMs) {
        next += 1;
        await creditDeposit(deps, {
          id: newId(),
          code: codes[next % codes.length] as never,
          amountMinor: 1_000,
          currency: 'USD',
          sourceAccountId: drawer,
          cashAlreadyTaken: false,
        });
        done += 1;
      }
    }),
  );
  return done;
}

await run(1_000);
const cpuBefore = process.cpuUsage();
const startMs = performance.now();
const done = await run(seconds * 1_000);
const elapsedS = (performance.now() - startMs) / 1_000;
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    adapter,
    inFlight,
    perSecond: Math.round(done / elapsedS),
    cpuUsPerDeposit: Math.round((cpu.user + cpu.system) / done),
    walMiB:
      adapter === 'sqlite'
        ? Number((statSync(join(dir, 'server.sqlite-wal')).size / 2 ** 20).toFixed(1))
        : null,
  }),
);
await db.close();
if (db instanceof PostgresDb) {
  const admin = await PostgresDb.open({ connectionString: postgresUrl });
  await admin.rawPool.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.close();
}
rmSync(dir, { recursive: true, force: true });
