import Database from 'better-sqlite3';
import type { CashPosition, Code, KioskDeposit, SyncResult, UuidV7 } from '@cashin/shared';
import {
  CashPositionSchema,
  contentDigestHeader,
  createUuidV7Generator,
  opsApiPaths,
  realClock,
  signatureBase,
  terminalApiPaths,
  terminalHeaders,
} from '@cashin/shared';
import type { KeyObject } from 'node:crypto';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { Deps } from '../deps.js';
import { createShopper } from '../shoppers/shoppers.js';
import { UnconfiguredSender } from '../shoppers/message-sender.js';
import { SqliteDb } from '../storage/sqlite/sqlite-db.js';

/**
 * `npm run bench:sync`: one run, one table. A real server (buildApp + listen on 127.0.0.1, SQLite at
 * synchronous=FULL) and the kiosks in this process, talking HTTP over loopback with signed requests.
 *  1. One terminal drains a backlog of 100,000 deposits in batches of syncBatchDepositsMax, then re-sends
 *     every batch (all must answer `exists` and credit nothing); memory is sampled at 10,000 and at the end
 *     (heap after a full collection, so it is what the run keeps, and RSS).
 *  2. The same rows inserted straight into better-sqlite3 (WAL, FULL, one transaction per batch).
 *  3. 200 terminals syncing at once; per-batch latency p50 / p99 and errors.
 * Deposits are generated batch by batch (ids derived from the sequence), so the client holds one batch.
 * Each row says its target (issue 4) and whether this run met it; the machine's load average and the
 * process's CPU time are printed beside wall times, since a loaded machine stretches wall time alone.
 * With BENCH_JSON=<file> the same rows are also written there as a JSON array of flat objects, and with
 * BENCH_NOTES=<file> the notes under the table, one per line.
 */
const backlogDeposits = Number(process.env['BENCH_SYNC_DEPOSITS'] ?? 100_000);
const memoryCheckpointDeposits = 10_000;
const shoppersCount = 2_000;
const fleetTerminals = 200;
const fleetBatchesEach = 2;
const fleetBatchDeposits = 100;
const setupConcurrency = 50;
const opsToken = 'bench-ops-token-0123456789abcdef';
/** Issue 4's targets. */
const drainSecondsMax = 2;
/** "Memory stays flat": what the run keeps at the end may exceed what it kept at 10,000 by this share. */
const memoryGrowthShareMax = 0.25;
const jsonPath = process.env['BENCH_JSON'];

// A full collection before each memory sample, so the sample is what the run keeps rather than garbage
// that happens not to be collected yet (the flag is set here so `npm run bench:sync` needs no node flag).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const loadAtStart = loadavg()[0] ?? 0;

const dir = mkdtempSync(join(tmpdir(), 'cashin-bench-sync-'));
const config = loadConfig({
  NODE_ENV: 'test',
  OPS_TOKEN: opsToken,
  LOG_LEVEL: 'silent',
  DATABASE_PATH: join(dir, 'server.sqlite'),
  HTTP_REQUESTS_PER_MINUTE: '10000000',
});
const batchDeposits = config.limits.system.syncBatchDepositsMax;
const db = SqliteDb.open(join(dir, 'server.sqlite'));
const synchronous = db.raw.pragma('synchronous', { simple: true });
if (synchronous !== 2)
  throw new Error(`the benchmark must run at synchronous=FULL (2), not ${String(synchronous)}`);
const clock = realClock();
const newId = createUuidV7Generator(() => clock.nowMs());
const logger = pino({ level: 'silent' });
const app = await buildApp(config, { db, clock, newId, logger });
await app.listen({ host: '127.0.0.1', port: 0 });
const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const deps: Deps = {
  db,
  clock,
  limits: config.limits,
  newId,
  messageSender: new UnconfiguredSender(logger),
  claimCodeSecret: config.claimCodeSecret,
  logger,
};

async function opsPost<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface Kiosk {
  terminalId: string;
  privateKey: KeyObject;
}

async function enrollKiosk(storeId: string): Promise<Kiosk> {
  const { token } = await opsPost<{ token: string }>('/v1/ops/terminals', { storeId, name: 'bench kiosk' });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  const enrolled = await fetch(baseUrl + terminalApiPaths.enroll, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, publicKey: x, softwareVersion: 'bench' }),
  });
  return { terminalId: ((await enrolled.json()) as { terminalId: string }).terminalId, privateKey };
}

async function signedSync(kiosk: Kiosk, deposits: KioskDeposit[]): Promise<SyncResult[]> {
  const body = JSON.stringify({ deposits });
  const contentDigest = contentDigestHeader(createHash('sha256').update(body).digest('base64'));
  const parts = {
    method: 'POST',
    path: terminalApiPaths.sync,
    terminalId: kiosk.terminalId,
    timestampMs: Date.now(),
    nonce: randomBytes(18).toString('base64url'),
    contentDigest,
  };
  const response = await fetch(baseUrl + terminalApiPaths.sync, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [terminalHeaders.terminalId]: parts.terminalId,
      [terminalHeaders.timestamp]: String(parts.timestampMs),
      [terminalHeaders.nonce]: parts.nonce,
      [terminalHeaders.contentDigest]: contentDigest,
      [terminalHeaders.signature]: sign(null, Buffer.from(signatureBase(parts)), kiosk.privateKey).toString(
        'base64url',
      ),
    },
    body,
  });
  if (!response.ok) throw new Error(`sync: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { results: SyncResult[] }).results;
}

const baseMs = Date.UTC(2026, 0, 1);

/** A UUIDv7 that is a pure function of (terminal number, sequence), so a re-send carries the same ids. */
function depositIdFor(terminalNumber: number, sequence: number): string {
  const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0').slice(-digits);
  const time = hex(baseMs + sequence, 12);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex(terminalNumber, 3)}-8${hex(sequence >>> 12, 3)}-${hex(sequence, 12)}`;
}

function depositFor(terminalNumber: number, sequence: number, codes: readonly Code[]): KioskDeposit {
  const coins = 1 + (sequence % 7);
  const at = new Date(baseMs + sequence * 1000).toISOString();
  return {
    depositId: depositIdFor(terminalNumber, sequence) as UuidV7,
    sequence,
    code: codes[(sequence * 7919 + terminalNumber) % codes.length]!,
    claimCode: null,
    currency: 'USD',
    items: [
      { kind: 'coin', ccTalkId: 'US025A', valueMinor: 25, count: coins },
      { kind: 'coin', ccTalkId: 'US010A', valueMinor: 10, count: 2 },
    ],
    rejectedCount: 0,
    totalMinor: 25 * coins + 20,
    startedAt: at,
    committedAt: at,
    flags: { recovered: false, lostEvents: false, offline: true, deviceFault: false },
    receiptSignature: null,
  };
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

// Set-up: a store, its kiosks, and shoppers whose codes the deposits use.
const { id: storeId } = await opsPost<{ id: string }>('/v1/ops/stores', {
  name: 'Bench store',
  currency: 'USD',
  timeZone: 'America/New_York',
});
const codes: Code[] = [];
for (let start = 0; start < shoppersCount; start += setupConcurrency) {
  const made = await Promise.all(
    Array.from({ length: Math.min(setupConcurrency, shoppersCount - start) }, (_, n) =>
      createShopper(deps, {
        phone: `+1555${String(start + n).padStart(7, '0')}`,
        name: 'Bench Shopper',
        language: 'en',
        currency: 'USD',
      }),
    ),
  );
  codes.push(...made.map((shopper) => shopper.depositCode));
}
const drainKiosk = await enrollKiosk(storeId);
const transfersCount = () => db.raw.prepare('SELECT COUNT(*) AS n FROM transfers').get() as { n: number };

// 1. One terminal drains its backlog, then re-sends all of it.
interface SendAll {
  ms: number;
  cpuMs: number;
  created: number;
  exists: number;
  rssAtCheckpoint: number;
  rssPeak: number;
  heapAtCheckpoint: number;
  rssEnd: number;
  heapEnd: number;
}

async function sendAll(): Promise<SendAll> {
  let created = 0;
  let exists = 0;
  let rssAtCheckpoint = 0;
  let heapAtCheckpoint = 0;
  let rssPeak = 0;
  let pausedMs = 0;
  const cpuStart = process.cpuUsage();
  const startMs = performance.now();
  for (let first = 1; first <= backlogDeposits; first += batchDeposits) {
    const batch: KioskDeposit[] = [];
    for (let sequence = first; sequence < first + batchDeposits && sequence <= backlogDeposits; sequence += 1)
      batch.push(depositFor(1, sequence, codes));
    for (const result of await signedSync(drainKiosk, batch)) {
      if (result.status === 'created') created += 1;
      else if (result.status === 'exists') exists += 1;
      else throw new Error(`unexpected ${result.status}`);
    }
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    if (first + batchDeposits - 1 === memoryCheckpointDeposits) {
      // The collection is not the server's work: its time is left out of the drain.
      const pauseStartMs = performance.now();
      collectGarbage();
      const memory = process.memoryUsage();
      rssAtCheckpoint = memory.rss;
      heapAtCheckpoint = memory.heapUsed;
      pausedMs += performance.now() - pauseStartMs;
    }
  }
  const ms = performance.now() - startMs - pausedMs;
  const cpu = process.cpuUsage(cpuStart);
  collectGarbage();
  const memory = process.memoryUsage();
  return {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    created,
    exists,
    rssAtCheckpoint,
    rssPeak,
    heapAtCheckpoint,
    rssEnd: memory.rss,
    heapEnd: memory.heapUsed,
  };
}

const firstSend = await sendAll();
const transfersAfterFirst = transfersCount().n;
const resend = await sendAll();
const transfersAfterResend = transfersCount().n;

// What the ops cash-position report costs over this ledger (it sums every transfer of the cash accounts),
// next to one raw SUM over every transfer; the median of a few runs of each.
const reportRuns = 5;
const medianMs = async (run: () => unknown): Promise<number> => {
  const times: number[] = [];
  for (let n = 0; n < reportRuns; n += 1) {
    const startMs = performance.now();
    await run();
    times.push(performance.now() - startMs);
  }
  return times.sort((a, b) => a - b)[Math.floor(reportRuns / 2)]!;
};
let position: CashPosition | undefined;
const positionMs = await medianMs(async () => {
  const response = await fetch(baseUrl + opsApiPaths.cashPosition, {
    headers: { authorization: `Bearer ${opsToken}` },
  });
  position = CashPositionSchema.parse(await response.json());
});
const rawSumMs = await medianMs(() =>
  db.raw.prepare('SELECT COUNT(*), SUM(amount_minor) FROM transfers').get(),
);
const positionBalanced = position?.currencies.every((one) => one.balanced) === true;

// 2. Baseline: the same rows straight into better-sqlite3, one transaction per batch.
const raw = new Database(join(dir, 'raw.sqlite'));
raw.pragma('journal_mode = WAL');
raw.pragma('synchronous = FULL');
raw.exec(
  'CREATE TABLE kiosk_deposits (deposit_id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL, sequence INTEGER NOT NULL, fields_json TEXT NOT NULL, total_minor INTEGER NOT NULL, UNIQUE (terminal_id, sequence))',
);
const insertRaw = raw.prepare('INSERT INTO kiosk_deposits VALUES (?, ?, ?, ?, ?)');
const insertBatch = raw.transaction((rows: KioskDeposit[]) => {
  for (const row of rows)
    insertRaw.run(row.depositId, 'K00001', row.sequence, JSON.stringify(row), row.totalMinor);
});
const rawStartMs = performance.now();
for (let first = 1; first <= backlogDeposits; first += batchDeposits) {
  const batch: KioskDeposit[] = [];
  for (let sequence = first; sequence < first + batchDeposits && sequence <= backlogDeposits; sequence += 1)
    batch.push(depositFor(1, sequence, codes));
  insertBatch(batch);
}
const rawMs = performance.now() - rawStartMs;
raw.close();

// 3. Many terminals at once.
const fleet: Kiosk[] = [];
for (let start = 0; start < fleetTerminals; start += setupConcurrency) {
  fleet.push(
    ...(await Promise.all(
      Array.from({ length: Math.min(setupConcurrency, fleetTerminals - start) }, () => enrollKiosk(storeId)),
    )),
  );
}
const latenciesMs: number[] = [];
let fleetErrors = 0;
const fleetStartMs = performance.now();
await Promise.all(
  fleet.map(async (kiosk, index) => {
    for (let b = 0; b < fleetBatchesEach; b += 1) {
      const batch = Array.from({ length: fleetBatchDeposits }, (_, n) =>
        depositFor(index + 2, b * fleetBatchDeposits + n + 1, codes),
      );
      const before = performance.now();
      try {
        const results = await signedSync(kiosk, batch);
        if (results.some((result) => result.status !== 'created')) fleetErrors += 1;
      } catch {
        fleetErrors += 1;
      }
      latenciesMs.push(performance.now() - before);
    }
  }),
);
const fleetMs = performance.now() - fleetStartMs;
latenciesMs.sort((a, b) => a - b);
const quantile = (q: number) =>
  latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(q * latenciesMs.length))] ?? 0;

await app.close();
await db.close();
rmSync(dir, { recursive: true, force: true });

const fleetDeposits = fleetTerminals * fleetBatchesEach * fleetBatchDeposits;
const seconds = (ms: number) => Math.round(ms) / 1000;
const perSecond = (count: number, ms: number) => Math.round(count / (ms / 1000));
const heapGrowth = firstSend.heapEnd / firstSend.heapAtCheckpoint - 1;
const backlog = `${backlogDeposits.toLocaleString('en-US')} deposits`;

/** One measured figure: flat, so the lead can put every benchmark's rows into one report. */
interface BenchRow {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  target?: string;
  pass?: boolean;
}

const rows: BenchRow[] = [
  {
    scenario: `1 terminal, first send of ${backlog}`,
    metric: 'time',
    value: seconds(firstSend.ms),
    unit: 's',
    baseline: seconds(rawMs),
    target: `< ${drainSecondsMax} s`,
    pass: firstSend.ms < drainSecondsMax * 1000 && firstSend.created === backlogDeposits,
  },
  {
    scenario: `1 terminal, first send of ${backlog}`,
    metric: 'deposits/s',
    value: perSecond(backlogDeposits, firstSend.ms),
    unit: 'deposits/s',
    baseline: perSecond(backlogDeposits, rawMs),
  },
  {
    scenario: `1 terminal, first send of ${backlog}`,
    metric: 'CPU time of the process (server and kiosk)',
    value: seconds(firstSend.cpuMs),
    unit: 's',
  },
  {
    scenario: `1 terminal, first send of ${backlog}`,
    metric: `heap kept at the end (baseline: at ${memoryCheckpointDeposits.toLocaleString('en-US')})`,
    value: mb(firstSend.heapEnd),
    unit: 'MB',
    baseline: mb(firstSend.heapAtCheckpoint),
    target: `flat: <= +${Math.round(memoryGrowthShareMax * 100)}%`,
    pass: heapGrowth <= memoryGrowthShareMax,
  },
  {
    scenario: `1 terminal, first send of ${backlog}`,
    metric: `RSS at the end (baseline: at ${memoryCheckpointDeposits.toLocaleString('en-US')})`,
    value: mb(firstSend.rssEnd),
    unit: 'MB',
    baseline: mb(firstSend.rssAtCheckpoint),
  },
  {
    scenario: `1 terminal, first send of ${backlog}`,
    metric: 'peak RSS',
    value: mb(firstSend.rssPeak),
    unit: 'MB',
  },
  {
    scenario: `1 terminal, re-send of ${backlog}`,
    metric: 'time (baseline: the first send)',
    value: seconds(resend.ms),
    unit: 's',
    baseline: seconds(firstSend.ms),
    target: '< first send',
    pass: resend.ms < firstSend.ms,
  },
  {
    scenario: `1 terminal, re-send of ${backlog}`,
    metric: 'deposits credited again',
    value: resend.created + (transfersAfterResend - transfersAfterFirst),
    unit: 'deposits',
    target: '0, all answered exists',
    pass:
      resend.created === 0 &&
      resend.exists === backlogDeposits &&
      transfersAfterResend === transfersAfterFirst,
  },
  {
    scenario: `1 terminal, re-send of ${backlog}`,
    metric: 'CPU time of the process (server and kiosk)',
    value: seconds(resend.cpuMs),
    unit: 's',
  },
  {
    scenario: `ops cash position over the ledger of ${backlog} (${transfersAfterResend.toLocaleString('en-US')} transfers)`,
    metric: 'time per report, median of 5 (baseline: one raw SUM over every transfer)',
    value: Math.round(positionMs * 10) / 10,
    unit: 'ms',
    baseline: Math.round(rawSumMs * 10) / 10,
    target: 'balanced',
    pass: positionBalanced,
  },
  {
    scenario: `raw better-sqlite3 insert of the same ${backlog} (one transaction per ${batchDeposits}, no HTTP, no ledger)`,
    metric: 'time',
    value: seconds(rawMs),
    unit: 's',
  },
  {
    scenario: `${fleetTerminals} terminals at once, ${fleetBatchesEach} batches of ${fleetBatchDeposits} each`,
    metric: 'per-batch latency p50',
    value: Math.round(quantile(0.5)),
    unit: 'ms',
  },
  {
    scenario: `${fleetTerminals} terminals at once, ${fleetBatchesEach} batches of ${fleetBatchDeposits} each`,
    metric: 'per-batch latency p99',
    value: Math.round(quantile(0.99)),
    unit: 'ms',
  },
  {
    scenario: `${fleetTerminals} terminals at once, ${fleetBatchesEach} batches of ${fleetBatchDeposits} each`,
    metric: 'deposits/s',
    value: perSecond(fleetDeposits, fleetMs),
    unit: 'deposits/s',
  },
  {
    scenario: `${fleetTerminals} terminals at once, ${fleetBatchesEach} batches of ${fleetBatchDeposits} each`,
    metric: 'batches failed or not all created',
    value: fleetErrors,
    unit: 'batches',
    target: '0',
    pass: fleetErrors === 0,
  },
  {
    scenario: 'machine',
    metric: 'load average (1 min) at start / at end',
    value: Math.round(loadAtStart * 100) / 100,
    unit: 'load',
    baseline: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  },
];

console.log(
  `\nbench:sync: SQLite WAL synchronous=FULL, HTTP over loopback, signed batches of ${batchDeposits}, ${shoppersCount} wallets; load average ${loadAtStart.toFixed(2)} at start, ${(loadavg()[0] ?? 0).toFixed(2)} at end\n`,
);
const table = [
  ['scenario', 'metric', 'value', 'baseline', 'target', 'pass'],
  ...rows.map((row) => [
    row.scenario,
    row.metric,
    `${row.value.toLocaleString('en-US')} ${row.unit}`,
    row.baseline === undefined ? '' : `${row.baseline.toLocaleString('en-US')} ${row.unit}`,
    row.target ?? '',
    row.pass === undefined ? '' : row.pass ? 'pass' : 'FAIL',
  ]),
];
const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
for (const [index, row] of table.entries()) {
  console.log(`| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`);
  if (index === 0) console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
}

// What the drain's time is made of, from this run: the re-send does everything a first send does except
// write (HTTP, signature, JSON, schema, the stored deposits read and compared), so it is the floor under
// the first send, and the difference is what moving the money costs.
const microsPerDeposit = (ms: number) => Math.round((ms * 1000) / backlogDeposits);
const notes = [
  `re-send (nothing written): ${seconds(resend.ms)} s, ${microsPerDeposit(resend.ms)} us per deposit for the signed HTTP, JSON, schema and stored-deposit comparison alone` +
    (resend.ms >= drainSecondsMax * 1000
      ? `; that path by itself is past the ${drainSecondsMax} s drain target`
      : ''),
  `first send: ${microsPerDeposit(firstSend.ms)} us per deposit, about ${microsPerDeposit(firstSend.ms - resend.ms)} us of it writing the money (transfer, wallet balance, deposit record, audit entry, kiosk deposit); the raw baseline writes one row per deposit with no HTTP in ${seconds(rawMs)} s`,
];
for (const note of notes) console.log(`- ${note}`);
console.log(
  `\npeak RSS of the whole run (server and kiosks in one process): ${mb(process.resourceUsage().maxRSS * 1024)} MB`,
);
if (jsonPath !== undefined && jsonPath !== '') {
  writeFileSync(jsonPath, `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`rows written to ${jsonPath}`);
}
// BENCH_NOTES=<file>: the notes under the table, one per line, for the report of `npm run bench`.
const notesPath = process.env['BENCH_NOTES'];
if (notesPath !== undefined && notesPath !== '')
  writeFileSync(notesPath, notes.map((note) => `${note}\n`).join(''));
