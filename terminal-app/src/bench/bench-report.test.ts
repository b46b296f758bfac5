import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BenchRow } from './bench-report.js';
import { jsonRows, percentile, reportBench } from './bench-report.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

describe('bench report', () => {
  it('takes nearest-rank percentiles, whatever the order', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('writes flat JSON rows with the baseline, the target and whether it was met', () => {
    const rows: BenchRow[] = [
      {
        scenario: 'coin -> screen, p99',
        value: 120,
        unit: 'ms',
        target: 100,
        baseline: { value: 220, unit: 'ms', what: 'old poll' },
      },
      { scenario: 'coins/s', value: 90, unit: '/s', target: 60, higherIsBetter: true },
      { scenario: 'journal bytes per deposit', value: 1_650, unit: 'B' },
    ];
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-report-'));
    dirs.push(dir);
    const file = path.join(dir, 'rows.json');
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    reportBench({ bench: 'kiosk', heading: 'bench:kiosk', rows, jsonFile: file });
    const written = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    expect(written).toEqual(jsonRows('kiosk', rows));
    expect(written).toEqual([
      {
        bench: 'kiosk',
        scenario: 'coin -> screen, p99',
        value: 120,
        unit: 'ms',
        baseline: 220,
        baselineUnit: 'ms',
        baselineWhat: 'old poll',
        target: 100,
        pass: false,
      },
      { bench: 'kiosk', scenario: 'coins/s', value: 90, unit: '/s', target: 60, pass: true },
      { bench: 'kiosk', scenario: 'journal bytes per deposit', value: 1_650, unit: 'B' },
    ]);
  });
});
