import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresAvailable, testPostgresUrl } from '@cashin/server/test-support/test-db.js';
import { afterEach, describe, expect, it } from 'vitest';
import { formatChecks } from './check-end-state.js';
import type { NetworkChaosResult } from './network-chaos.js';
import { runNetworkChaos } from './network-chaos.js';

// The short version of `npm run chaos`: real server processes (SIGKILLed and restarted), in-process kiosks
// with simulated devices and journals, tills, and a seeded fault schedule, for 24 simulated seconds (about
// a minute of wall time with start-up and the heal). Seed 164's schedule kills servers and agents, pulls
// a cable, powers an acceptor off and spoils links, on one SQLite process and on two PostgreSQL ones.
// (Generous timeouts: on a loaded machine the simulated clock runs slower than the wall clock.)
const seed = 164;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function run(db: 'sqlite' | 'postgres'): Promise<NetworkChaosResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'network-chaos-test-'));
  dirs.push(dataDir);
  const result = await runNetworkChaos({
    seed,
    minutes: 0.4,
    db,
    kiosks: 6,
    tills: 2,
    serverProcesses: db === 'sqlite' ? 1 : 2,
    postgresUrl: testPostgresUrl,
    dataDir,
    progress: () => undefined,
  });
  // On failure the table says which money went wrong.
  if (!result.ok) console.log(`${formatChecks(result.checks)}\n${result.runProblems.join('\n')}`);
  return result;
}

function expectAHardRun(result: NetworkChaosResult, serverProcesses: number): void {
  expect(result.runProblems).toEqual([]);
  expect(result.checks.filter((check) => !check.ok)).toEqual([]);
  expect(result.ok).toBe(true);
  expect(result.faultsScheduled).toEqual({ killServer: 2, killAgent: 3, link: 4, unplug: 1, powerOff: 1 });
  // Real processes: a kill whose turn comes after the deposits ended (behind a slow restart on a loaded
  // machine) is skipped, so the counts are at most the schedule's, and at least one of each happened.
  expect(result.stats['serverKills']).toBeGreaterThan(0);
  expect(result.stats['serverKills']).toBeLessThanOrEqual(2);
  expect(result.stats['serverStarts']).toBe(serverProcesses + result.stats['serverKills']!);
  expect(result.stats['agentRestarts']).toBeGreaterThan(0);
  expect(result.stats['agentRestarts']).toBeLessThanOrEqual(3);
  expect(result.endState.kiosks).toHaveLength(6);
  expect(result.stats['kioskDepositsCommitted']).toBeGreaterThan(6);
  expect(result.stats['tillSales']).toBeGreaterThan(2);
  const devices = result.endState.kiosks.reduce((sum, kiosk) => sum + kiosk.devicesKeptMinor, 0);
  expect(devices).toBeGreaterThan(0);
}

describe('npm run chaos, short', () => {
  it('one SQLite server process: every check passes through kills, cut links, pulled cables and power-offs', async () => {
    expectAHardRun(await run('sqlite'), 1);
  }, 600_000);

  it.skipIf(!postgresAvailable)(
    'two server processes on one PostgreSQL schema: every check passes',
    async () => {
      const result = await run('postgres');
      expectAHardRun(result, 2);
      expect(result.endState.db).toBe('postgres');
    },
    600_000,
  );
});
