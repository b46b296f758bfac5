import type { DeviceDiagnostics } from '@cashin/shared';
import { MaintenanceOutcomeSchema, maintenanceDetailCharsMax } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import {
  collectResult,
  deviceUnknownResult,
  noPrinterResult,
  reprintResult,
  selfTestResult,
  syncResult,
  testPrintResult,
  unexpectedFailureResult,
} from './maintenance-outcomes.js';

// What the agent tells the tech, from each part's own result. Every outcome must pass the bridge schema:
// the window drops a state that does not, and the tech would see nothing at all.
const diagnostics = (overrides: Partial<DeviceDiagnostics>): DeviceDiagnostics => ({
  device: 'coin',
  kind: 'coinAcceptor',
  channels: [],
  ok: true,
  answered: true,
  faults: [],
  ...overrides,
});

describe('maintenance outcomes', () => {
  it.each([
    ['a passing self-test', diagnostics({}), { kind: 'selfTestPassed', device: 'coin' }],
    [
      'a device that reports its own fault code',
      diagnostics({ ok: false, faults: ['selfCheckFailed'], selfCheckFaultCode: 6 }),
      {
        kind: 'selfTestFailed',
        device: 'coin',
        answered: true,
        faults: ['selfCheckFailed'],
        selfCheckFaultCode: 6,
      },
    ],
    [
      'a printer out of paper with its cover open',
      diagnostics({ ok: false, faults: ['coverOpen', 'paperOut', 'paperOut'], selfCheckFaultCode: 0 }),
      {
        kind: 'selfTestFailed',
        device: 'coin',
        answered: true,
        faults: ['coverOpen', 'paperOut'],
        selfCheckFaultCode: null,
      },
    ],
    [
      'a device that does not answer',
      diagnostics({ ok: false, answered: false, detail: 'no reply (timeout)' }),
      { kind: 'selfTestFailed', device: 'coin', answered: false, faults: [], selfCheckFaultCode: null },
    ],
  ])('a self-test: %s', (_name, result, outcome) => {
    const answer = selfTestResult('coin', result);
    expect(answer.outcome).toEqual(outcome);
    expect(answer).toMatchObject(result.ok ? { ok: true, code: null } : { ok: false, code: 'DEVICE_FAULT' });
    MaintenanceOutcomeSchema.parse(answer.outcome);
  });

  it('names a device it does not have, and a missing printer', () => {
    expect(deviceUnknownResult('hopper')).toEqual({
      ok: false,
      code: 'NOT_FOUND',
      outcome: { kind: 'deviceUnknown', device: 'hopper' },
    });
    expect(noPrinterResult()).toMatchObject({ ok: false, outcome: { kind: 'noPrinter' } });
  });

  it("gives a print failure as the printer's fault, or no fault when it did not answer", () => {
    expect(testPrintResult({ ok: true, bytes: 120 })).toEqual({
      ok: true,
      code: null,
      outcome: { kind: 'testPrinted' },
    });
    expect(testPrintResult({ ok: false, reason: 'coverOpen' }).outcome).toEqual({
      kind: 'printFailed',
      fault: 'coverOpen',
    });
    expect(testPrintResult({ ok: false, reason: 'noStatus' }).outcome).toEqual({
      kind: 'printFailed',
      fault: null,
    });
  });

  it("counts a sync round, and a stopped one carries the sync engine's own error code", () => {
    expect(syncResult({ synced: 7, quarantined: 1, failed: false }, null)).toEqual({
      ok: true,
      code: null,
      outcome: { kind: 'synced', synced: 7, quarantined: 1 },
    });
    expect(syncResult({ synced: 2, quarantined: 0, failed: true }, 'TERMINAL_DISABLED')).toEqual({
      ok: false,
      code: 'TERMINAL_DISABLED',
      outcome: { kind: 'syncFailed', synced: 2, quarantined: 0 },
    });
  });

  it('records each bag in minor units with its currency, or says there was nothing to collect', () => {
    const bags = [
      { device: 'coin', pieces: 312, totalMinor: 12_345 },
      { device: 'bill', pieces: 4, totalMinor: 8_000 },
    ];
    const collected = collectResult('MXN', bags);
    expect(collected).toEqual({
      ok: true,
      code: null,
      outcome: { kind: 'collected', currency: 'MXN', bags },
    });
    MaintenanceOutcomeSchema.parse(collected.outcome);
    expect(collectResult('USD', []).outcome).toEqual({ kind: 'noMoneyDevices' });
  });

  it("names the reprinted deposit's number, a deposit it does not know, and a printer fault", () => {
    expect(reprintResult({ ok: true, sequence: 40 })).toEqual({
      ok: true,
      code: null,
      outcome: { kind: 'receiptReprinted', sequence: 40 },
    });
    expect(reprintResult({ ok: false, unknown: true })).toEqual({
      ok: false,
      code: 'NOT_FOUND',
      outcome: { kind: 'depositUnknown' },
    });
    expect(reprintResult({ ok: false, fault: 'paperOut', sequence: 40 })).toEqual({
      ok: false,
      code: 'DEVICE_FAULT',
      outcome: { kind: 'printFailed', fault: 'paperOut' },
    });
  });

  it("keeps an exception's message only as a detail, cut to what the bridge carries", () => {
    expect(unexpectedFailureResult(new Error('EIO: read failed'))).toEqual({
      ok: false,
      code: 'INTERNAL',
      outcome: { kind: 'failed', detail: 'EIO: read failed' },
    });
    const long = unexpectedFailureResult(new Error('y'.repeat(1_000))).outcome;
    expect(MaintenanceOutcomeSchema.parse(long)).toEqual({
      kind: 'failed',
      detail: 'y'.repeat(maintenanceDetailCharsMax),
    });
  });
});
