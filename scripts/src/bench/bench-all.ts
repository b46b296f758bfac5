import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import path from 'node:path';
import { benchNotesSchema, benchRowsSchema, renderReport } from './bench-report.js';
import type { BenchResult, BenchRow, MachineInfo } from './bench-report.js';

/**
 * `npm run bench`: runs every benchmark of the project one after another (never two at once: they would
 * measure each other), each with `BENCH_JSON` naming the file it writes its rows to, and writes one report,
 * `bench/report.md` and `bench/report.json`, with the machine it ran on. Each benchmark's own table streams
 * to the terminal as it runs, so a long run shows where it is.
 */
const benches: readonly { name: string; script: string; issue: number }[] = [
  { name: 'Devices: ccTalk line and driver', script: 'bench:devices', issue: 5 },
  { name: 'Server: one deposit per request', script: 'bench:server', issue: 3 },
  { name: 'Server: kiosk sync backlog', script: 'bench:sync', issue: 4 },
  { name: 'Terminal agent', script: 'bench:agent', issue: 6 },
  { name: 'Kiosk: coin to screen, UI size', script: 'bench:kiosk', issue: 7 },
  { name: 'Web apps: bundle sizes', script: 'bench:web', issue: 8 },
];
/** A benchmark still running after this long is stopped and reported as such. */
const benchDurationMsMax = 20 * 60 * 1000;
/** Appends of one 4 KiB block, each made durable, to measure the disk every durable figure depends on. */
const diskProbeWritesCount = 200;

const root = path.resolve(import.meta.dirname, '../../..');
const outDir = path.join(root, 'bench');
const tmpDir = path.join(outDir, 'tmp');

function diskProbe(): string {
  const file = path.join(tmpDir, 'fdatasync-probe');
  const block = Buffer.alloc(4096, 7);
  const fd = openSync(file, 'w');
  const started = process.hrtime.bigint();
  try {
    for (let index = 0; index < diskProbeWritesCount; index += 1) {
      writeSync(fd, block);
      fdatasyncSync(fd);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return `disk: 4 KiB append + fdatasync ${(diskProbeWritesCount / seconds).toFixed(0)} per second (${((seconds / diskProbeWritesCount) * 1e6).toFixed(0)} µs each), the ceiling of any commit-per-write figure`;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function runBench(
  script: string,
  jsonFile: string,
  notesFile: string,
): Promise<{ exitCode: number; problem?: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], {
      cwd: root,
      env: { ...process.env, BENCH_JSON: jsonFile, BENCH_NOTES: notesFile },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), benchDurationMsMax);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ exitCode: -1, problem: error.message });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== null) resolve({ exitCode: -1, problem: `stopped by ${signal}` });
      else resolve({ exitCode: code ?? -1 });
    });
  });
}

/** A benchmark's notes, one per line; none when it wrote no file. A file that does not parse is a problem. */
function readNotes(notesFile: string): string[] {
  if (!existsSync(notesFile)) return [];
  const lines = readFileSync(notesFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const parsed = benchNotesSchema.safeParse(lines);
  return parsed.success ? parsed.data : [`its notes did not parse: ${parsed.error.issues[0]?.message ?? ''}`];
}

function readRows(jsonFile: string): { rows: BenchRow[]; problem?: string } {
  if (!existsSync(jsonFile)) return { rows: [], problem: 'it wrote no rows' };
  const parsed = benchRowsSchema.safeParse(JSON.parse(readFileSync(jsonFile, 'utf8')));
  if (!parsed.success)
    return { rows: [], problem: `its rows did not parse: ${parsed.error.issues[0]?.message ?? ''}` };
  return { rows: parsed.data };
}

mkdirSync(tmpDir, { recursive: true });
const loadAverageBefore = loadavg();
const diskNote = diskProbe();
const results: BenchResult[] = [];
for (const [index, bench] of benches.entries()) {
  console.log(`\n==> [${index + 1}/${benches.length}] npm run ${bench.script} (${bench.name})\n`);
  const jsonFile = path.join(tmpDir, `${bench.script.replace(':', '-')}.json`);
  const notesFile = path.join(tmpDir, `${bench.script.replace(':', '-')}.notes.txt`);
  rmSync(jsonFile, { force: true });
  rmSync(notesFile, { force: true });
  const started = Date.now();
  const run = await runBench(bench.script, jsonFile, notesFile);
  const { rows, problem } = readRows(jsonFile);
  const notes = readNotes(notesFile);
  const runProblem = run.problem ?? (run.exitCode !== 0 ? `exit code ${run.exitCode}` : undefined);
  results.push({
    name: bench.name,
    command: `npm run ${bench.script}`,
    issue: bench.issue,
    exitCode: run.exitCode,
    durationS: (Date.now() - started) / 1000,
    rows,
    ...(notes.length > 0 ? { notes } : {}),
    ...(rows.length === 0 ? { problem: runProblem ?? problem ?? 'no rows' } : {}),
  });
}

const cpuList = cpus();
const machine: MachineInfo = {
  date: new Date().toISOString(),
  commit: gitCommit(),
  cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
  cpuCount: cpuList.length,
  memoryGiB: totalmem() / 1024 ** 3,
  os: `${type()} ${release()}`,
  node: process.version,
  loadAverageBefore,
  loadAverageAfter: loadavg(),
  diskNote,
};
const report = { machine, results };
writeFileSync(path.join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(path.join(outDir, 'report.md'), renderReport(report));
console.log(`\nbench: wrote bench/report.md and bench/report.json`);
for (const result of results) {
  console.log(
    `  ${result.name.padEnd(36)} ${result.problem === undefined ? `${result.rows.length} rows` : `did not run: ${result.problem}`}`,
  );
}
if (results.some((result) => result.rows.length === 0)) process.exitCode = 1;
