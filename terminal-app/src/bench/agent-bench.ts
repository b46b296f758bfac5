// `npm run bench:agent [-- --deposits 10000 --latency-deposits 40 --seed N]`: issue 6's agent figures from
// one run, each beside a baseline measured in the same run.
//
// Latency runs on the real clock: the simulator's coin acceptor over TCP at 9600 baud, the real agent
// (drivers, runner, SQLite journal at WAL + synchronous=FULL, signed sync) and the real server in this
// process, listening on loopback with its own SQLite file. Memory and journal size run 10,000 deposits
// through the chaos rig (the same agent and drivers over in-memory pipes, the real server through
// app.inject, one FakeClock), which is the only way 10,000 deposits fit in minutes rather than hours.
// `BENCH_JSON=<file>` also writes the rows as JSON.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import type { Code, HeartbeatRequest, KioskSnapshot } from '@cashin/shared';
import {
  FakeClock,
  HeartbeatResponseSchema,
  defaultLimits,
  realClock,
  seededRandom,
  terminalApiPaths,
} from '@cashin/shared';
import { ChaosKiosk, settle } from '../chaos/chaos-rig.js';
import type { ServerChaosBackend } from '../chaos/server-backend.js';
import { serverBackend } from '../chaos/server-backend.js';
import { createSignedClient } from '../sync/signed-client.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';
import { pinnedServerKeys } from '../agent/terminal-identity.js';
import { observeCalls, snapshotWhere, startBenchKiosk } from './bench-kiosk.js';
import type { BenchRow } from './bench-report.js';
import { epochMs, percentile, reportBench } from './bench-report.js';

const { values: args } = parseArgs({
  options: {
    deposits: { type: 'string' },
    'latency-deposits': { type: 'string' },
    seed: { type: 'string' },
  },
  strict: true,
});
const memoryDeposits = Number(args.deposits ?? 10_000);
const latencyDeposits = Number(args['latency-deposits'] ?? 40);
const seed = Number(args.seed ?? 20261202);
const coinsPerDeposit = 4;
/** A tier-0 wallet takes 20 deposits a day; the benches sign a new shopper up well before that. */
const depositsPerShopper = 15;
const memorySampleEvery = Math.max(1, Math.floor(memoryDeposits / 20));
/** Samples before this many deposits are warm-up (code paths compiled, caches filled). */
const warmUpDeposits = Math.floor(memoryDeposits / 10);
const rawInserts = 500;
const signedRoundTrips = 200;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

interface MemorySample {
  deposits: number;
  heapUsedBytes: number;
  rssBytes: number;
}

function memoryNow(deposits: number): MemorySample {
  collectGarbage();
  const usage = process.memoryUsage();
  return { deposits, heapUsedBytes: usage.heapUsed, rssBytes: usage.rss };
}

/** Least-squares slope of y over x. */
function slope(points: ReadonlyArray<[number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** Baseline: one row inserted and committed per transaction, straight through better-sqlite3, WAL + FULL. */
function rawInsertCommitMs(dir: string): number[] {
  const db = new Database(path.join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE events (id INTEGER PRIMARY KEY, deposit_id TEXT NOT NULL, value_minor INTEGER NOT NULL)',
  );
  const insert = db.prepare('INSERT INTO events (deposit_id, value_minor) VALUES (?, ?)');
  const samples: number[] = [];
  for (let index = 0; index < rawInserts; index += 1) {
    const started = epochMs();
    insert.run('0193a0c0-0000-7000-8000-000000000000', 25);
    samples.push(epochMs() - started);
  }
  db.close();
  return samples;
}

/** Signs a new shopper up every `depositsPerShopper` deposits (daily deposit limits). */
function shopperPool(server: Pick<ServerChaosBackend, 'newShopperCode'>) {
  let code: Code | undefined;
  let uses = 0;
  return async (): Promise<Code> => {
    if (code === undefined || uses >= depositsPerShopper) {
      code = await server.newShopperCode();
      uses = 0;
    }
    uses += 1;
    return code;
  };
}

interface LatencyFigures {
  replyToJournalMs: number[];
  journalAppendMs: number[];
  coinToJournalMs: number[];
  commitToAckMs: number[];
  signedRoundTripMs: number[];
}

async function measureLatency(): Promise<LatencyFigures> {
  const clock = realClock();
  const server = await serverBackend(clock, { listen: true });
  const kiosk = await startBenchKiosk({
    server,
    devices: ['coin'],
    bridgeToken: 'agent-bench-bridge-token-012345',
  });
  const { agent, sim } = kiosk;
  const coinSim = sim.coin!;
  const figures: LatencyFigures = {
    replyToJournalMs: [],
    journalAppendMs: [],
    coinToJournalMs: [],
    commitToAckMs: [],
    signedRoundTripMs: [],
  };
  try {
    let insertedAtMs = 0;
    let coinJournaled: (() => void) | undefined;
    observeCalls(agent.journal, 'append', ([, entry], _id, enteredAtMs, returnedAtMs) => {
      if (entry.type !== 'credit' || entry.device !== 'coin') return;
      const replyAtMs = kiosk.lastBytesAtMs.get('coin') ?? enteredAtMs;
      figures.replyToJournalMs.push(returnedAtMs - replyAtMs);
      figures.journalAppendMs.push(returnedAtMs - enteredAtMs);
      figures.coinToJournalMs.push(returnedAtMs - insertedAtMs);
      coinJournaled?.();
    });
    const committedAtMs = new Map<string, number>();
    const acknowledged = new Map<string, () => void>();
    observeCalls(agent.journal, 'commit', ([depositId], _deposit, _entered, returnedAtMs) => {
      committedAtMs.set(depositId, returnedAtMs);
    });
    observeCalls(agent.journal.outbox, 'markSynced', ([depositIds], _changed, _entered, returnedAtMs) => {
      for (const id of depositIds) {
        const committed = committedAtMs.get(id);
        if (committed === undefined) continue;
        figures.commitToAckMs.push(returnedAtMs - committed);
        committedAtMs.delete(id);
        acknowledged.get(id)?.();
      }
    });

    const nextCode = shopperPool(server);
    const random = seededRandom(seed);
    const screen = (name: KioskSnapshot['screen']) => snapshotWhere(agent, (s) => s.screen === name);
    for (let deposit = 0; deposit < latencyDeposits; deposit += 1) {
      agent.runner.intent({ type: 'start' });
      await screen('identify');
      if (deposit % 2 === 0) agent.runner.intent({ type: 'noAccount' });
      else agent.runner.intent({ type: 'keyedCode', text: await nextCode() });
      await screen('confirm');
      agent.runner.intent({ type: 'confirm' });
      await screen('insertMoney');
      await coinSim.whenAccepting();
      for (let coin = 0; coin < coinsPerDeposit; coin += 1) {
        const journaled = new Promise<void>((resolve) => (coinJournaled = resolve));
        insertedAtMs = epochMs();
        coinSim.insert(25);
        await journaled;
        // A shopper's pace, and a random phase against the poll.
        await clock.sleep(random.int(20, 150));
      }
      agent.runner.intent({ type: 'finish' });
      const done = await snapshotWhere(agent, (s) => s.screen === 'done' && s.receipt !== null);
      const depositId = done.receipt!.depositId;
      if (committedAtMs.has(depositId))
        await new Promise<void>((resolve) => acknowledged.set(depositId, resolve));
      agent.runner.intent({ type: 'dismiss' });
      await screen('attract');
    }

    // Baseline: a bare signed request to the same server over the same socket: a heartbeat, as the
    // agent sends it, through a signed client of its own.
    const { key } = loadOrCreateTerminalKey(kiosk.dataDir);
    const client = createSignedClient({
      baseUrl: agent.identity.serverUrl,
      terminalId: agent.identity.terminalId,
      key,
      clock,
      requestTimeoutMs: 5_000,
      serverKeys: () => pinnedServerKeys(agent.identity) ?? [],
    });
    const beat: HeartbeatRequest = {
      softwareVersion: 'bench',
      uptimeMs: 1_000,
      devices: agent.devices.statuses(),
      outbox: agent.journal.outbox.status(),
      bag: { currency: 'USD', totalMinor: 0, coinCount: 0, billCount: 0 },
      lastError: null,
    };
    for (let trip = 0; trip < signedRoundTrips; trip += 1) {
      const started = epochMs();
      const answer = await client.post(terminalApiPaths.heartbeat, beat, HeartbeatResponseSchema);
      if (!answer.ok) throw new Error(`baseline heartbeat answered ${JSON.stringify(answer)}`);
      figures.signedRoundTripMs.push(epochMs() - started);
    }
  } finally {
    await kiosk.close();
    await server.close();
  }
  return figures;
}

interface MemoryFigures {
  idle: MemorySample;
  samples: MemorySample[];
  committed: number;
  journalBytes: number;
  depositJsonBytes: number;
  wallMs: number;
}

async function measureMemory(dir: string): Promise<MemoryFigures> {
  const clock = new FakeClock(Date.UTC(2026, 11, 2, 8));
  const random = seededRandom(seed);
  const backend = await serverBackend(clock);
  const dataDir = path.join(dir, 'memory-kiosk');
  mkdirSync(dataDir);
  const kiosk = await ChaosKiosk.create({ clock, random, backend, dataDir });
  // Longer steps than a chaos run takes (its 25 ms lets coins fall between polls): each step still ends
  // before a ccTalk reply could time out (100 ms), and a deposit costs a third of the wall time.
  const stepMs = Math.floor(defaultLimits.system.ccTalkReplyTimeoutMs * 0.75);
  const agent = () => kiosk.agent!;
  const until = async (done: () => boolean, budgetMs = 30_000): Promise<void> => {
    for (let passedMs = 0; !done(); passedMs += stepMs) {
      if (passedMs > budgetMs)
        throw new Error(`the memory kiosk is stuck on ${agent().runner.current().screen}`);
      await clock.advanceAsync(stepMs);
      await settle();
    }
  };
  const screenIs = (name: KioskSnapshot['screen']) => () => agent().runner.current().screen === name;
  try {
    // Two idle seconds: the devices polled, the first heartbeat and sync round done.
    for (let passedMs = 0; passedMs < 2_000; passedMs += stepMs) {
      await clock.advanceAsync(stepMs);
      await settle();
    }
    const idle = memoryNow(0);
    const samples: MemorySample[] = [idle];
    const nextCode = shopperPool(backend);
    const started = performance.now();
    for (let deposit = 1; deposit <= memoryDeposits; deposit += 1) {
      const runner = agent().runner;
      runner.intent({ type: 'start' });
      await until(screenIs('identify'));
      if (deposit % 2 === 0) runner.intent({ type: 'noAccount' });
      else runner.intent({ type: 'keyedCode', text: await nextCode() });
      await until(screenIs('confirm'));
      runner.intent({ type: 'confirm' });
      await until(screenIs('insertMoney'));
      await until(() => kiosk.coin.accepting);
      const coins = random.int(1, coinsPerDeposit);
      for (let coin = 0; coin < coins; coin += 1) kiosk.coin.insert(random.pick([5, 10, 25, 100]));
      await until(() => runner.current().items.reduce((sum, item) => sum + item.count, 0) === coins);
      runner.intent({ type: 'finish' });
      await until(screenIs('done'));
      runner.intent({ type: 'dismiss' });
      await until(screenIs('attract'));
      if (deposit % memorySampleEvery === 0) {
        await until(() => agent().journal.outbox.status().depth === 0);
        samples.push(memoryNow(deposit));
        process.stderr.write(
          `  ${deposit}/${memoryDeposits} deposits, ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
        );
      }
    }
    const wallMs = performance.now() - started;
    await until(() => agent().journal.outbox.status().depth === 0);
    const committed = agent().journal.committedAfter(0, Number.MAX_SAFE_INTEGER);
    const depositJsonBytes =
      committed.reduce((sum, deposit) => sum + Buffer.byteLength(JSON.stringify(deposit)), 0) /
      committed.length;
    await kiosk.close();
    // Closing checkpoints the WAL into the file: what is left is what the journal keeps.
    const journalBytes = statSync(path.join(dataDir, 'data', 'journal.sqlite')).size;
    return { idle, samples, committed: committed.length, journalBytes, depositJsonBytes, wallMs };
  } finally {
    await kiosk.close();
    await backend.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'agent-bench-'));
  try {
    const raw = rawInsertCommitMs(dir);
    process.stderr.write(
      `latency: ${latencyDeposits} deposits of ${coinsPerDeposit} coins on the real clock\n`,
    );
    const latency = await measureLatency();
    process.stderr.write(`memory: ${memoryDeposits} deposits on the chaos rig\n`);
    const memory = await measureMemory(dir);
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;

    const mb = (bytes: number) => bytes / (1024 * 1024);
    const last = memory.samples.at(-1)!;
    const warm = memory.samples.filter((sample) => sample.deposits >= warmUpDeposits);
    const heapGrowthPer10k = slope(warm.map((s) => [s.deposits, s.heapUsedBytes])) * 10_000;
    const rssGrowthPer10k = slope(warm.map((s) => [s.deposits, s.rssBytes])) * 10_000;
    const flatHeapTargetMb = 2;
    const rawP50 = percentile(raw, 50);
    const rawP99 = percentile(raw, 99);
    const tripP50 = percentile(latency.signedRoundTripMs, 50);
    const tripP99 = percentile(latency.signedRoundTripMs, 99);
    const rows: BenchRow[] = [
      {
        scenario: 'coin reported (229 reply in) -> journal commit, p50',
        value: percentile(latency.replyToJournalMs, 50),
        unit: 'ms',
        baseline: { value: rawP50, unit: 'ms', what: 'raw better-sqlite3 insert+commit, FULL, p50' },
      },
      {
        scenario: 'coin reported (229 reply in) -> journal commit, p99',
        value: percentile(latency.replyToJournalMs, 99),
        unit: 'ms',
        baseline: { value: rawP99, unit: 'ms', what: 'raw better-sqlite3 insert+commit, FULL, p99' },
      },
      {
        scenario: 'journal append alone (one FULL transaction), p50 / p99',
        value: percentile(latency.journalAppendMs, 50),
        unit: 'ms',
        note: `p99 ${percentile(latency.journalAppendMs, 99).toFixed(2)} ms`,
      },
      {
        scenario: 'coin into the acceptor -> journal commit, p50',
        value: percentile(latency.coinToJournalMs, 50),
        unit: 'ms',
        note: 'includes the wait for the next poll and 9600-baud line time',
      },
      {
        scenario: 'coin into the acceptor -> journal commit, p99',
        value: percentile(latency.coinToJournalMs, 99),
        unit: 'ms',
      },
      {
        scenario: 'deposit commit -> server acknowledgement (online), p50',
        value: percentile(latency.commitToAckMs, 50),
        unit: 'ms',
        baseline: { value: tripP50, unit: 'ms', what: 'bare signed heartbeat round trip, p50' },
      },
      {
        scenario: 'deposit commit -> server acknowledgement (online), p99',
        value: percentile(latency.commitToAckMs, 99),
        unit: 'ms',
        baseline: { value: tripP99, unit: 'ms', what: 'bare signed heartbeat round trip, p99' },
      },
      {
        scenario: `heap used after ${memory.committed} deposits (after GC)`,
        value: mb(last.heapUsedBytes),
        unit: 'MB',
        baseline: { value: mb(memory.idle.heapUsedBytes), unit: 'MB', what: 'idle agent, after GC' },
        note: 'process: agent + in-process server + simulated devices',
      },
      {
        scenario: `RSS after ${memory.committed} deposits`,
        value: mb(last.rssBytes),
        unit: 'MB',
        baseline: { value: mb(memory.idle.rssBytes), unit: 'MB', what: 'idle agent' },
      },
      {
        scenario: 'peak RSS of the run',
        value: mb(peakRssBytes),
        unit: 'MB',
        note: 'the whole process, both phases',
      },
      {
        scenario: `heap growth per 10,000 deposits after ${warmUpDeposits} warm-up (least squares)`,
        value: mb(heapGrowthPer10k),
        unit: 'MB',
        target: flatHeapTargetMb,
        note: `RSS ${mb(rssGrowthPer10k).toFixed(1)} MB per 10,000; flat-memory check`,
      },
      {
        scenario: 'journal bytes per deposit (SQLite file after close)',
        value: memory.journalBytes / memory.committed,
        unit: 'B',
        baseline: { value: memory.depositJsonBytes, unit: 'B', what: 'the deposit as synced JSON' },
        note: `${mb(memory.journalBytes).toFixed(1)} MB for ${memory.committed} deposits, events and outbox`,
      },
      {
        scenario: 'memory run speed (simulated deposits per wall second)',
        value: (memoryDeposits / memory.wallMs) * 1000,
        unit: '/s',
      },
    ];
    reportBench({
      bench: 'agent',
      heading:
        `bench:agent  (${latencyDeposits} real-clock deposits of ${coinsPerDeposit} coins, ` +
        `${memoryDeposits} chaos-rig deposits, ${new Date().toISOString()})`,
      rows,
      jsonFile: process.env.BENCH_JSON,
    });
    console.log('\nmemory samples (deposits: heap MB / RSS MB):');
    console.log(
      memory.samples
        .map((s) => `${s.deposits}: ${mb(s.heapUsedBytes).toFixed(1)} / ${mb(s.rssBytes).toFixed(1)}`)
        .join(', '),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
