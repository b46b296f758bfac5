import { describe, expect, it } from 'vitest';
import { benchRowsSchema, columnsOf, failedRows, markdownTable, renderReport } from './bench-report.js';
import type { BenchReport } from './bench-report.js';

const machine = {
  date: '2026-12-02T13:00:00.000Z',
  commit: 'abc1234',
  cpuModel: 'Test CPU',
  cpuCount: 2,
  memoryGiB: 24,
  os: 'Linux 6.1',
  node: 'v20.20.2',
  loadAverageBefore: [0.1, 0.2, 0.3],
  loadAverageAfter: [1, 2, 3],
  diskNote: 'disk: 4 KiB append + fdatasync 8000 per second',
};

describe('bench report', () => {
  it('takes the union of columns in the order they first appear', () => {
    expect(
      columnsOf([
        { scenario: 'a', perSecond: 1 },
        { scenario: 'b', target: 2, perSecond: 3 },
      ]),
    ).toEqual(['scenario', 'perSecond', 'target']);
  });

  it('renders a table with pass and FAIL, thousands separators and escaped pipes', () => {
    const table = markdownTable([
      { scenario: 'deposit | sqlite', perSecond: 31234, pass: true },
      { scenario: 'postgres', perSecond: 4321.456, pass: false },
    ]);
    expect(table.split('\n')).toEqual([
      '| scenario | perSecond | pass |',
      '|---|---|---|',
      '| deposit \\| sqlite | 31,234 | pass |',
      '| postgres | 4,321.5 | FAIL |',
    ]);
  });

  it('counts only rows that say they missed their target', () => {
    expect(failedRows([{ pass: true }, { pass: false }, { scenario: 'no target' }])).toHaveLength(1);
  });

  it('refuses rows that are not flat records', () => {
    expect(benchRowsSchema.safeParse([{ nested: { a: 1 } }]).success).toBe(false);
    expect(benchRowsSchema.safeParse({ scenario: 'x' }).success).toBe(false);
  });

  it('puts the machine, a summary line per benchmark and each table in the report', () => {
    const report: BenchReport = {
      machine,
      results: [
        {
          name: 'Server',
          command: 'npm run bench:server',
          issue: 3,
          exitCode: 0,
          durationS: 90,
          rows: [
            { scenario: 'bare', perSecond: 70000 },
            { scenario: 'deposit', perSecond: 20000, pass: false },
          ],
          notes: ['CPU budget: 2 cores allow at most 3,658/s | with nothing else running'],
        },
        {
          name: 'Agent',
          command: 'npm run bench:agent',
          issue: 6,
          exitCode: 1,
          durationS: 2,
          rows: [],
          problem: 'exit code 1',
        },
      ],
    };
    const text = renderReport(report);
    expect(text).toContain('2 × Test CPU, 24.0 GiB memory');
    expect(text).toContain('| Server | #3 | `npm run bench:server` | 90 | 2 | 1 | ran |');
    expect(text).toContain('| Agent | #6 | `npm run bench:agent` | 2 | 0 | 0 | did not run: exit code 1 |');
    expect(text).toContain('| deposit | 20,000 | FAIL |');
    expect(text).toContain('No rows: exit code 1.');
    // A note sits under its benchmark's table, before the next benchmark's section.
    const note = text.indexOf('- CPU budget: 2 cores allow at most 3,658/s \\| with nothing else running');
    expect(note).toBeGreaterThan(text.indexOf('| deposit | 20,000 | FAIL |'));
    expect(note).toBeLessThan(text.indexOf('## Agent'));
  });
});
