import { z } from 'zod';

/**
 * The one benchmark report: every benchmark of the project writes its rows as JSON (to the file named by
 * `BENCH_JSON`), and `npm run bench` gathers them with the machine they ran on into `bench/report.md` and
 * `bench/report.json`. Rows are flat records so each benchmark keeps its own columns; the report shows the
 * union of a benchmark's columns in the order they first appear, with the same-run baseline and the target
 * beside each figure where the benchmark gave them. A benchmark may also write notes (one per line, to the
 * file named by `BENCH_NOTES`): what its rows mean together, such as why a target is out of reach.
 */
const cellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const benchRowSchema = z.record(z.string(), cellSchema);
export const benchRowsSchema = z.array(benchRowSchema).max(1_000);
export type BenchRow = z.infer<typeof benchRowSchema>;
/** A benchmark's notes file: lines of text, bounded. */
export const benchNotesSchema = z.array(z.string().min(1).max(1_000)).max(100);
type Cell = z.infer<typeof cellSchema>;

export interface BenchResult {
  readonly name: string;
  readonly command: string;
  readonly issue: number;
  readonly exitCode: number;
  readonly durationS: number;
  readonly rows: readonly BenchRow[];
  /** Why there are no rows (the benchmark crashed, or wrote nothing), if so. */
  readonly problem?: string;
  /** What the benchmark said of its rows, under its table. */
  readonly notes?: readonly string[];
}

export interface MachineInfo {
  readonly date: string;
  readonly commit: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly loadAverageBefore: readonly number[];
  readonly loadAverageAfter: readonly number[];
  readonly diskNote: string;
}

export interface BenchReport {
  readonly machine: MachineInfo;
  readonly results: readonly BenchResult[];
}

function formatCell(value: Cell | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'pass' : 'FAIL';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value.toLocaleString('en-US');
    return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 2 : 1 });
  }
  return value.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The columns of a set of rows: every key, in the order it first appears. */
export function columnsOf(rows: readonly BenchRow[]): string[] {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return columns;
}

export function markdownTable(rows: readonly BenchRow[]): string {
  const columns = columnsOf(rows);
  if (columns.length === 0) return '(no rows)';
  const lines = [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${columns.map((column) => formatCell(row[column])).join(' | ')} |`);
  return lines.join('\n');
}

/** A row passes unless it says `pass: false`; rows without a target say nothing either way. */
export function failedRows(rows: readonly BenchRow[]): BenchRow[] {
  return rows.filter((row) => row['pass'] === false);
}

export function renderReport(report: BenchReport): string {
  const { machine } = report;
  const out: string[] = [
    '# Benchmark report',
    '',
    `Made by \`npm run bench\` on ${machine.date} at commit \`${machine.commit}\`. Every figure sits beside the`,
    'baseline measured in the same run and the target of its issue; "pass" compares the figure with the target.',
    '',
    '## Machine',
    '',
    `- ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB.toFixed(1)} GiB memory`,
    `- ${machine.os}, Node ${machine.node}`,
    `- load average before ${machine.loadAverageBefore.map((v) => v.toFixed(2)).join(' / ')}, after ${machine.loadAverageAfter
      .map((v) => v.toFixed(2))
      .join(' / ')} (1 / 5 / 15 min)`,
    `- ${machine.diskNote}`,
    '',
    '## Summary',
    '',
    '| benchmark | issue | command | seconds | rows | targets missed | status |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const result of report.results) {
    const missed = failedRows(result.rows).length;
    const status = result.problem !== undefined ? `did not run: ${formatCell(result.problem)}` : 'ran';
    out.push(
      `| ${result.name} | #${result.issue} | \`${result.command}\` | ${result.durationS.toFixed(0)} | ${result.rows.length} | ${missed} | ${status} |`,
    );
  }
  for (const result of report.results) {
    out.push('', `## ${result.name} (issue #${result.issue})`, '', `\`${result.command}\``, '');
    out.push(
      result.rows.length === 0
        ? `No rows: ${result.problem ?? 'the benchmark wrote none'}.`
        : markdownTable(result.rows),
    );
    if (result.notes !== undefined && result.notes.length > 0) {
      out.push('', ...result.notes.map((note) => `- ${formatCell(note)}`));
    }
  }
  out.push('');
  return out.join('\n');
}
