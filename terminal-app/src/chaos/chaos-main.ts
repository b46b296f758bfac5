import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runKioskChaos } from './kiosk-chaos.js';
import { runOfflineWeek } from './offline-week.js';
import { serverBackend } from './server-backend.js';

/**
 * `npm run chaos:kiosk -- --deposits 10000 [--seed N] [--crash-rate P] [--fault-rate P]`: the long
 * whole-kiosk chaos run against the real server in process. Prints the seed first (a failing seed replays
 * exactly with --seed), progress on stderr, and the audit report; exits 1 when the audit found a problem.
 * `--offline-week [--deposits 5000]` runs the offline-week scenario instead.
 */
const depositsMax = 1_000_000;

function parseNumber(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > max) throw new Error(`--${name} must be 0..${max}`);
  return value;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      deposits: { type: 'string' },
      seed: { type: 'string' },
      'crash-rate': { type: 'string' },
      'fault-rate': { type: 'string' },
      'offline-week': { type: 'boolean' },
    },
    strict: true,
  });
  const offlineWeek = values['offline-week'] === true;
  const deposits = Math.floor(
    parseNumber('deposits', values.deposits, offlineWeek ? 5_000 : 1_000, depositsMax),
  );
  const seed = Math.floor(parseNumber('seed', values.seed, randomInt(1, 2 ** 31 - 1), 2 ** 31 - 1));
  const crashRate = parseNumber('crash-rate', values['crash-rate'], 0.03, 1);
  const faultRate = parseNumber('fault-rate', values['fault-rate'], 0.3, 1);
  if (offlineWeek) {
    process.stdout.write(`offline week: seed ${seed}, ${deposits} deposits\n`);
    const startedMs = Date.now();
    const week = await runOfflineWeek({ seed, deposits });
    const seconds = Math.round((Date.now() - startedMs) / 100) / 10;
    process.stdout.write(`${JSON.stringify({ ...week, seconds }, null, 2)}\n`);
    return week.problems.length > 0 ? 1 : 0;
  }
  process.stdout.write(`kiosk chaos: seed ${seed}, ${deposits} deposits (replay with --seed ${seed})\n`);

  const dataDir = mkdtempSync(path.join(tmpdir(), 'kiosk-chaos-'));
  const startedMs = Date.now();
  const every = Math.max(1, Math.floor(deposits / 20));
  const report = await runKioskChaos({
    seed,
    deposits,
    crashRate,
    faultRate,
    openBackend: serverBackend,
    dataDir,
    progress: (done, total) => {
      if (done % every !== 0 && done !== total) return;
      const seconds = ((Date.now() - startedMs) / 1000).toFixed(1);
      process.stderr.write(`  ${done}/${total} deposits, ${seconds} s\n`);
    },
  });
  const seconds = Math.round((Date.now() - startedMs) / 100) / 10;
  process.stdout.write(`${JSON.stringify({ ...report, seconds }, null, 2)}\n`);
  if (report.problems.length > 0) {
    process.stdout.write(`FAILED: ${report.problems.length} problems; journal kept in ${dataDir}\n`);
    return 1;
  }
  rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write('ok: every coin the devices kept is credited exactly once\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `kiosk chaos crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
