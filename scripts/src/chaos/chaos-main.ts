import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatChecks } from './check-end-state.js';
import { runNetworkChaos } from './network-chaos.js';

/**
 * `npm run chaos -- [--minutes 10] [--db sqlite|postgres] [--seed N] [--kiosks 20] [--tills 4]
 * [--save-end-state file.json]`: issue 9's network chaos run. Prints the seed first (`--seed` replays the
 * same fault schedule and shoppers), progress while it runs, and a table of every check; exits 1 when a
 * check fails, 2 when the run itself broke. PostgreSQL is DATABASE_URL or the local `test` database.
 */
const minutesMax = 24 * 60;
const kiosksMax = 100;
const tillsMax = 20;
const seedMax = 2 ** 31 - 1;

function numberOption(name: string, text: string | undefined, fallback: number, min: number, max: number) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new Error(`--${name} must be a number from ${min} to ${max}`);
  return value;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      db: { type: 'string' },
      seed: { type: 'string' },
      kiosks: { type: 'string' },
      tills: { type: 'string' },
      servers: { type: 'string' },
      'save-end-state': { type: 'string' },
    },
    strict: true,
  });
  const db = values.db ?? 'sqlite';
  if (db !== 'sqlite' && db !== 'postgres') throw new Error('--db must be sqlite or postgres');
  const minutes = numberOption('minutes', values.minutes, 10, 0.1, minutesMax);
  const seed = Math.floor(numberOption('seed', values.seed, randomInt(1, seedMax), 1, seedMax));
  const kiosks = Math.floor(numberOption('kiosks', values.kiosks, 20, 1, kiosksMax));
  const tills = Math.floor(numberOption('tills', values.tills, 4, 0, tillsMax));
  const serverProcesses = Math.floor(
    numberOption('servers', values.servers, db === 'sqlite' ? 1 : 2, 1, db === 'sqlite' ? 1 : 8),
  );
  const postgresUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

  process.stdout.write(
    `network chaos: seed ${seed} (replay: npm run chaos -- --seed ${seed} --minutes ${minutes} --db ${db}), ${kiosks} kiosks, ${tills} tills, ${serverProcesses} server process(es) on ${db}\n` +
      'A seed replays the same fault schedule and the same shoppers and clerks; the servers are real processes,\n' +
      'so how their answers interleave with the simulation (and so the counts) can differ between replays.\n',
  );
  const dataDir = mkdtempSync(path.join(tmpdir(), 'network-chaos-'));
  const result = await runNetworkChaos({
    seed,
    minutes,
    db,
    kiosks,
    tills,
    serverProcesses,
    postgresUrl,
    dataDir,
    progress: (line) => process.stdout.write(`${line}\n`),
  });
  if (values['save-end-state'] !== undefined)
    writeFileSync(values['save-end-state'], `${JSON.stringify(result.endState, null, 1)}\n`);
  process.stdout.write(`\nfaults scheduled: ${JSON.stringify(result.faultsScheduled)}\n`);
  process.stdout.write(`run: ${JSON.stringify(result.stats)}\n\n`);
  process.stdout.write(`${formatChecks(result.checks)}\n`);
  for (const problem of result.runProblems) process.stdout.write(`RUN PROBLEM: ${problem}\n`);
  const failed = result.checks.filter((check) => !check.ok).length;
  if (!result.ok) {
    process.stdout.write(
      `\nFAILED: ${failed} of ${result.checks.length} checks, ${result.runProblems.length} run problems (seed ${seed}); kiosk journals kept in ${dataDir}\n`,
    );
    return 1;
  }
  rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(`\nPASSED: all ${result.checks.length} checks, seed ${seed}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `network chaos crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
