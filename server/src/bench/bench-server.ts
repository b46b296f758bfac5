import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createUuidV7Generator } from '@cashin/shared';
import { codeFromDevInbox, signUpShopperOverHttp } from '@cashin/scripts/testing/shopper-sign-up';
import { verifyLedger } from '../ledger/verify-ledger.js';
import { SqliteDb } from '../storage/sqlite/sqlite-db.js';
import { PostgresDb } from '../storage/postgres/postgres-db.js';

/**
 * `npm run bench:server`: one run, one table. Every server runs in its own process on 127.0.0.1 and the
 * load generator (autocannon, closed loop, no pipelining) in this one; both share the machine's cores, so
 * the figures are lower bounds. Durations are short so the whole run stays near a minute and a half.
 */
const warmupS = 1;
const measureS = 5;
const httpClients = 128;
const pgClientCounts = [8, 32] as const;
const walletsCount = 500;
const setupConcurrency = 25;
const serverStartTimeoutMs = 60_000;
const postgresUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const opsToken = 'bench-ops-token-0123456789abcdef';
/** Issue 3's targets: the SQLite deposit row against bare Fastify from the same run, PostgreSQL absolute. */
const sqliteShareOfBareMin = 0.4;
const postgresDepositsPerSecondMin = 5_000;
const here = import.meta.dirname;

interface Row {
  readonly scenario: string;
  readonly clients: number | string;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly peakRssMb: number;
  readonly failures: number;
  /**
   * CPU the serving process (all its threads) spent per answered request during the measured seconds: on
   * a loaded machine it moves far less than req/s, so it shows where a change helped.
   */
  readonly serverCpuUsPerRequest: number;
  /**
   * CPU the PostgreSQL backends serving that process spent per answered request in the same seconds
   * (PostgreSQL rows only): the database's share of the machine, which bounds what the cores allow.
   */
  databaseCpuUsPerRequest?: number;
  /** A baseline row, measured so the rows beside it can be judged. */
  readonly baseline?: true;
  /** The issue's target for this row, in words, and whether this run met it. */
  target?: string;
  pass?: boolean;
}

const rows: Row[] = [];
const notes: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** BENCH_CPU_PROF=<folder> makes every server write a V8 CPU profile there when it stops. */
const cpuProfileFolder = process.env['BENCH_CPU_PROF'];
/** BENCH_ONLY=sqlite or postgres runs the bare baseline and that part only (for profiling one path). */
const only = process.env['BENCH_ONLY'];

function spawnNode(file: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const profile = cpuProfileFolder === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileFolder}`];
  return spawn(process.execPath, [...profile, '--import', 'tsx', file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function waitFor(url: string): Promise<void> {
  const deadline = Date.now() + serverStartTimeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server at ${url} did not start`);
}

/**
 * Nanoseconds a process has run on a CPU, all its threads together (the checkpointer and any worker
 * included), from the scheduler's own per-thread counters. Threads that ended earlier are not counted.
 */
function cpuNs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return total;
}

/** The peak resident set of a process (Linux VmHWM), in MiB. */
function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const procTicksPerSecond = 100;

/**
 * The PostgreSQL backends of one server process, found by the application name its pool connects with
 * (PGAPPNAME, which the pg driver reads), with the CPU each has used so far, in nanoseconds. PostgreSQL
 * runs on this machine, so its processes' counters are readable here.
 */
async function backendCpuNs(admin: pg.Pool, applicationName: string): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [applicationName],
  );
  const used = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      // Fields after the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      const ticks = Number(fields[11]) + Number(fields[12]);
      used.set(pid, (ticks / procTicksPerSecond) * 1e9);
    } catch {
      // the backend ended between the query and the read
    }
  }
  return used;
}

/** Backend CPU between two readings; a backend that connected in between counts from zero. */
function backendCpuDeltaNs(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ns] of after) total += ns - (before.get(pid) ?? 0);
  return total;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

interface Measured {
  readonly result: Result;
  readonly serverCpuUsPerRequest: number;
  readonly databaseCpuUsPerRequest?: number;
}

/** Where a PostgreSQL row reads its backends' CPU: the admin pool and the server's application name. */
interface DatabaseProbe {
  readonly admin: pg.Pool;
  readonly applicationName: string;
}

/** A warm-up, then the measured run; the server's CPU is read around the measured run only. */
async function load(
  options: Parameters<typeof autocannon>[0],
  server: ChildProcess,
  database?: DatabaseProbe,
): Promise<Measured> {
  await autocannon({ ...options, duration: warmupS });
  const backendsBefore =
    database === undefined ? undefined : await backendCpuNs(database.admin, database.applicationName);
  const cpuBeforeNs = cpuNs(server.pid);
  const result = await autocannon({ ...options, duration: measureS });
  const cpuAfterNs = cpuNs(server.pid);
  const answered = result.requests.total;
  const measured = { result, serverCpuUsPerRequest: (cpuAfterNs - cpuBeforeNs) / 1000 / answered };
  if (database === undefined || backendsBefore === undefined) return measured;
  const backendsAfter = await backendCpuNs(database.admin, database.applicationName);
  return {
    ...measured,
    databaseCpuUsPerRequest: backendCpuDeltaNs(backendsBefore, backendsAfter) / 1000 / answered,
  };
}

function row(
  scenario: string,
  clients: number,
  measured: Measured,
  server: ChildProcess,
  baseline?: true,
): Row {
  const { result } = measured;
  return {
    scenario,
    clients,
    perSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    peakRssMb: peakRssMb(server.pid),
    failures: result.errors + result.timeouts + result.non2xx,
    serverCpuUsPerRequest: measured.serverCpuUsPerRequest,
    ...(measured.databaseCpuUsPerRequest === undefined
      ? {}
      : { databaseCpuUsPerRequest: measured.databaseCpuUsPerRequest }),
    ...(baseline === true ? { baseline } : {}),
  };
}

async function bare(): Promise<number> {
  const port = await freePort();
  const child = spawnNode(join(here, 'servers/bare-server.ts'), [String(port)]);
  try {
    await waitFor(`http://127.0.0.1:${port}/`);
    const measured = await load({ url: `http://127.0.0.1:${port}/`, connections: httpClients }, child);
    rows.push(row('bare Fastify, constant answer (baseline)', httpClients, measured, child, true));
    return measured.result.requests.average;
  } finally {
    await stop(child);
  }
}

function benchLimitsFile(dir: string): string {
  // The benchmark sends many deposits per wallet; wallet limits are raised so every request is credited.
  // Everything else (the limit checks themselves, their queries) runs as in production.
  // The set-up signs every wallet up from this one address, so the per-address code limits are raised too.
  const tier = { walletDailyMaxMinor: 1e13, walletMonthlyMaxMinor: 1e13, walletDepositsPerDayMax: 1e9 };
  const system = { otpSendsPerClientIpMax: walletsCount, otpGuessesPerClientIpMax: walletsCount };
  const file = join(dir, 'limits.json');
  writeFileSync(file, JSON.stringify({ money: { USD: { tiers: { 0: tier, 1: tier } } }, system }));
  return file;
}

interface DepositServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly drawer: string;
  readonly codes: string[];
}

async function startDepositServer(env: Record<string, string>, dir: string): Promise<DepositServer> {
  const port = await freePort();
  const child = spawnNode(join(here, '../main.ts'), [], {
    ...env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    OPS_TOKEN: opsToken,
    CLAIM_CODE_SECRET: 'bench-claim-code-secret-0123456789abcdef',
    SERVER_SIGNING_KEY: 'bench-server-signing-key-0123456789abcdefgh',
    LOG_LEVEL: 'warn',
    // Wallets are signed up as the wallet app does: the code texted to open each is read from the inbox.
    DEV_INBOX: 'on',
    HTTP_REQUESTS_PER_MINUTE: String(1e9),
    LIMITS_FILE: benchLimitsFile(dir),
  });
  try {
    return await setUpDepositServer(child, `http://127.0.0.1:${port}`);
  } catch (error) {
    // A server that never became ready must not outlive the run.
    await stop(child);
    throw error;
  }
}

async function setUpDepositServer(child: ChildProcess, url: string): Promise<DepositServer> {
  await waitFor(`${url}/readyz`);
  const headers = { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' };
  const account = await fetch(`${url}/v1/ops/cash-accounts`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ kind: 'storeDrawer', ownerRef: 'bench-store', currency: 'USD' }),
  });
  const drawer = ((await account.json()) as { accountId: string }).accountId;
  const codes: string[] = [];
  for (let start = 0; start < walletsCount; start += setupConcurrency) {
    const batch = Array.from(
      { length: Math.min(setupConcurrency, walletsCount - start) },
      async (_, offset) => {
        const phone = `+1555${String(start + offset).padStart(7, '0')}`;
        const shopper = await signUpShopperOverHttp({
          baseUrl: url,
          signUp: { phone, name: 'Bench Shopper', language: 'en', currency: 'USD' },
          codeFor: (to) => codeFromDevInbox(url, to),
        });
        return shopper.depositCode;
      },
    );
    codes.push(...(await Promise.all(batch)));
  }
  return { child, url, drawer, codes };
}

function depositLoad(server: DepositServer, connections: number): Parameters<typeof autocannon>[0] {
  const newId = createUuidV7Generator();
  let next = 0;
  return {
    url: server.url,
    connections,
    requests: [
      {
        method: 'POST',
        path: '/v1/deposits',
        headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
        setupRequest: (request) => {
          next += 1;
          return {
            ...request,
            body: JSON.stringify({
              id: newId(),
              code: server.codes[next % server.codes.length],
              amountMinor: 1_000,
              currency: 'USD',
              sourceAccountId: server.drawer,
            }),
          };
        },
      },
    ],
  };
}

async function sqliteDeposits(bareRps: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cashin-bench-'));
  const path = join(dir, 'server.sqlite');
  try {
    const server = await startDepositServer({ DATABASE_PATH: path }, dir);
    let depositRow: Row;
    try {
      depositRow = row(
        'one credited deposit per request, SQLite FULL',
        httpClients,
        await load(depositLoad(server, httpClients), server.child),
        server.child,
      );
      depositRow.target = `>= ${sqliteShareOfBareMin * 100}% of bare Fastify (${Math.round(bareRps * sqliteShareOfBareMin).toLocaleString('en-US')}/s)`;
      depositRow.pass = depositRow.failures === 0 && depositRow.perSecond >= bareRps * sqliteShareOfBareMin;
      rows.push(depositRow);
    } finally {
      await stop(server.child);
    }
    const db = SqliteDb.open(path);
    try {
      const report = await verifyLedger(db);
      notes.push(
        `SQLite deposit path: ${((depositRow.perSecond / bareRps) * 100).toFixed(0)}% of bare Fastify (target >= ${sqliteShareOfBareMin * 100}%); ` +
          `ledger after the run: ${report.transfers} transfers, ${report.ok ? 'verified' : 'NOT VERIFIED'}`,
      );
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function rawSqlite(): Promise<void> {
  const child = spawnNode(join(here, 'raw-sqlite.ts'), [String(measureS * 1000)]);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const raw = JSON.parse(output.trim()) as {
    perSecond: number;
    p50Ms: number;
    p99Ms: number;
    peakRssBytes: number;
    cpuUsPerDeposit: number;
  };
  rows.push({
    scenario: 'raw better-sqlite3, same rows, commit each (baseline)',
    clients: 1,
    perSecond: raw.perSecond,
    p50Ms: raw.p50Ms,
    p99Ms: raw.p99Ms,
    peakRssMb: raw.peakRssBytes / 1024 / 1024,
    failures: 0,
    serverCpuUsPerRequest: raw.cpuUsPerDeposit,
    baseline: true,
  });
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function postgresRuns(): Promise<void> {
  if (!(await postgresReachable())) {
    notes.push(`PostgreSQL at ${postgresUrl} unreachable: PostgreSQL rows skipped`);
    return;
  }
  const schema = `bench_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'cashin-bench-pg-'));
  const admin = new pg.Pool({ connectionString: postgresUrl, max: 1 });
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    // Each server connects under its own application name, so its backends (and their CPU) can be found.
    const depositProbe = { admin, applicationName: `${schema}_deposits` };
    const server = await startDepositServer(
      {
        DATABASE_URL: postgresUrl,
        DATABASE_SCHEMA: schema,
        PGAPPNAME: depositProbe.applicationName,
      },
      dir,
    );
    const perClients = new Map<number, number>();
    let mostClientsRow: Row | undefined;
    try {
      for (const clients of pgClientCounts) {
        const depositRow = row(
          'one credited deposit per request, PostgreSQL',
          clients,
          await load(depositLoad(server, clients), server.child, depositProbe),
          server.child,
        );
        perClients.set(clients, depositRow.perSecond);
        if (clients === pgClientCounts.at(-1)) {
          mostClientsRow = depositRow;
          const fewest = perClients.get(pgClientCounts[0]) ?? Number.POSITIVE_INFINITY;
          depositRow.target = `>= ${postgresDepositsPerSecondMin.toLocaleString('en-US')}/s and >= the ${pgClientCounts[0]}-client row`;
          depositRow.pass =
            depositRow.failures === 0 &&
            depositRow.perSecond >= postgresDepositsPerSecondMin &&
            depositRow.perSecond >= fewest;
        }
        rows.push(depositRow);
      }
    } finally {
      await stop(server.child);
    }
    const db = await PostgresDb.open({ connectionString: postgresUrl, schema, poolConnectionsMax: 2 });
    try {
      const report = await verifyLedger(db);
      notes.push(
        `PostgreSQL deposit path: ${Math.round(perClients.get(32) ?? 0)}/s at 32 clients (target >= 5,000), ` +
          `${Math.round(perClients.get(8) ?? 0)}/s at 8; ledger after the run: ${report.transfers} transfers, ${report.ok ? 'verified' : 'NOT VERIFIED'}`,
      );
      if (mostClientsRow?.databaseCpuUsPerRequest !== undefined) {
        // What the cores could give if the server and PostgreSQL had them to themselves, the load
        // generator and everything else on the machine aside: an upper bound for the target row.
        const perDepositUs = mostClientsRow.serverCpuUsPerRequest + mostClientsRow.databaseCpuUsPerRequest;
        const ceiling = (cpus().length * 1e6) / perDepositUs;
        notes.push(
          `PostgreSQL CPU budget at ${mostClientsRow.clients} clients: ${mostClientsRow.serverCpuUsPerRequest.toFixed(0)} us server + ` +
            `${mostClientsRow.databaseCpuUsPerRequest.toFixed(0)} us PostgreSQL backends = ${perDepositUs.toFixed(0)} us per deposit; ` +
            `${cpus().length} cores allow at most ${Math.round(ceiling).toLocaleString('en-US')}/s with nothing else running`,
        );
      }
    } finally {
      await db.close();
    }
    const port = await freePort();
    const baselineProbe = { admin, applicationName: `${schema}_inserts` };
    const baseline = spawnNode(
      join(here, 'servers/pg-insert-server.ts'),
      [String(port), postgresUrl, schema],
      { PGAPPNAME: baselineProbe.applicationName },
    );
    try {
      await waitFor(`http://127.0.0.1:${port}/nothing`);
      for (const clients of pgClientCounts) {
        const measured = await load(
          { url: `http://127.0.0.1:${port}/insert`, method: 'POST', connections: clients },
          baseline,
          baselineProbe,
        );
        rows.push(row('plain INSERT per request, PostgreSQL (baseline)', clients, measured, baseline, true));
      }
    } finally {
      await stop(baseline);
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(): void {
  const header = [
    'scenario',
    'clients',
    'req/s',
    'p50 ms',
    'p99 ms',
    'peak RSS MiB',
    'server CPU us/req',
    'db CPU us/req',
    'failed',
    'target',
    'pass',
  ];
  const body = rows.map((r) => [
    r.scenario,
    String(r.clients),
    Math.round(r.perSecond).toLocaleString('en-US'),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    r.peakRssMb.toFixed(0),
    r.serverCpuUsPerRequest.toFixed(0),
    r.databaseCpuUsPerRequest === undefined ? '' : r.databaseCpuUsPerRequest.toFixed(0),
    String(r.failures),
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const b of body) console.log(line(b));
  for (const note of notes) console.log(`- ${note}`);
}

// Other work on the machine skews every row; the load average is printed so a reader can judge the run.
const loadAtStart = loadavg()[0] ?? Number.NaN;
const bareRps = await bare();
if (only !== 'postgres') {
  await sqliteDeposits(bareRps);
  await rawSqlite();
}
if (only !== 'sqlite') await postgresRuns();
// A row whose requests failed measured refusals, not the work it names: it says so, and meets no target.
for (const failing of rows.filter((r) => r.failures > 0)) {
  notes.push(`${failing.scenario} (${failing.clients} clients): ${failing.failures} requests failed`);
  if (failing.target !== undefined) failing.pass = false;
}
console.log(
  `\nbench:server — ${measureS} s per row after ${warmupS} s warm-up, autocannon closed loop, loopback, ` +
    `server LOG_LEVEL=warn, ${cpus().length} cores, 1-min load average ${loadAtStart.toFixed(1)} at start ` +
    `and ${(loadavg()[0] ?? Number.NaN).toFixed(1)} at end\n`,
);
printTable();
// BENCH_JSON=<file>: the same rows as JSON, for a report assembled from several benchmarks.
const jsonFile = process.env['BENCH_JSON'];
if (jsonFile !== undefined) writeFileSync(jsonFile, `${JSON.stringify(rows, null, 2)}\n`);
// BENCH_NOTES=<file>: the notes under the table, one per line, for the same report.
const notesFile = process.env['BENCH_NOTES'];
if (notesFile !== undefined) writeFileSync(notesFile, notes.map((note) => `${note}\n`).join(''));
