import { writeFileSync } from 'node:fs';

/**
 * How the kiosk's benches report: one table on stdout, each figure beside the baseline measured in the
 * same run (and its target when it has one), and, when a file is given (`BENCH_JSON=<file>`), the same rows
 * as a JSON array of flat rows, so one report can be assembled from several benches.
 */
export interface BenchRow {
  scenario: string;
  value: number;
  unit: string;
  /** What the figure is compared with, measured in the same run. */
  baseline?: { value: number; unit: string; what: string };
  /** The figure it must stay under (or over, when `higherIsBetter`). */
  target?: number;
  higherIsBetter?: boolean;
  note?: string;
}

/** A flat JSON row: every field a plain value. */
export interface BenchJsonRow {
  bench: string;
  scenario: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineUnit?: string;
  baselineWhat?: string;
  target?: number;
  pass?: boolean;
  note?: string;
}

/** The nearest-rank percentile (`p` in 0..100) of `values`; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Milliseconds since the epoch with sub-millisecond precision; Chromium's `performance` gives the same. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export function passOf(row: BenchRow): boolean | undefined {
  if (row.target === undefined || Number.isNaN(row.value)) return undefined;
  return row.higherIsBetter ? row.value >= row.target : row.value <= row.target;
}

function figure(value: number, unit: string): string {
  if (Number.isNaN(value)) return '-';
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

export function jsonRows(bench: string, rows: readonly BenchRow[]): BenchJsonRow[] {
  return rows.map((row) => {
    const pass = passOf(row);
    return {
      bench,
      scenario: row.scenario,
      value: Number.isNaN(row.value) ? -1 : row.value,
      unit: row.unit,
      ...(row.baseline
        ? { baseline: row.baseline.value, baselineUnit: row.baseline.unit, baselineWhat: row.baseline.what }
        : {}),
      ...(row.target === undefined ? {} : { target: row.target }),
      ...(pass === undefined ? {} : { pass }),
      ...(row.note === undefined ? {} : { note: row.note }),
    };
  });
}

/** Prints the table and, when `jsonFile` is set, writes the rows there. */
export function reportBench(options: {
  bench: string;
  heading: string;
  rows: readonly BenchRow[];
  jsonFile: string | undefined;
}): void {
  const cells = options.rows.map((row) => {
    const pass = passOf(row);
    const comparison = row.higherIsBetter ? '>=' : '<=';
    return [
      row.scenario,
      figure(row.value, row.unit),
      row.baseline ? `${figure(row.baseline.value, row.baseline.unit)} (${row.baseline.what})` : '',
      row.target === undefined ? '' : `${comparison} ${figure(row.target, row.unit)}`,
      pass === undefined ? '' : pass ? 'PASS' : 'MISS',
      row.note ?? '',
    ];
  });
  const header = ['scenario', 'value', 'baseline (same run)', 'target', 'pass', 'note'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => row[column]?.length ?? 0)),
  );
  const line = (row: readonly string[]): string =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  console.log(`\n${options.heading}\n`);
  console.log(line(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of cells) console.log(line(row));
  if (options.jsonFile !== undefined && options.jsonFile !== '') {
    writeFileSync(options.jsonFile, `${JSON.stringify(jsonRows(options.bench, options.rows), null, 2)}\n`);
    console.log(`\nrows written to ${options.jsonFile}`);
  }
}
