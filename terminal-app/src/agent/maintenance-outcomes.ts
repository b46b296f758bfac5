import type {
  CurrencyCode,
  DeviceDiagnostics,
  ErrorCode,
  MaintenanceOutcome,
  MaintenanceResult,
} from '@cashin/shared';
import { maintenanceDetailCharsMax } from '@cashin/shared';
import type { ReprintOutcome } from '../deposit/runner.js';
import type { PrintResult } from '../devices/printer/receipt-printer.js';
import type { SyncRound } from '../sync/sync-engine.js';
import { printFault } from './devices-adapter.js';

/**
 * What the kiosk's parts answer a field tech, as data the maintenance screen words in the tech's language.
 * Each function turns one part's own result (a driver's self-test, a sync round, a print) into a result;
 * none of them writes a sentence.
 */
export type SourceResult = Omit<MaintenanceResult, 'op'>;

export function succeeded(outcome: MaintenanceOutcome): SourceResult {
  return { ok: true, code: null, outcome };
}

export function failedWith(code: ErrorCode, outcome: MaintenanceOutcome): SourceResult {
  return { ok: false, code, outcome };
}

export function selfTestResult(device: string, diagnostics: DeviceDiagnostics): SourceResult {
  if (diagnostics.ok) return succeeded({ kind: 'selfTestPassed', device });
  const faultCode = diagnostics.selfCheckFaultCode ?? 0;
  return failedWith('DEVICE_FAULT', {
    kind: 'selfTestFailed',
    device,
    answered: diagnostics.answered,
    faults: [...new Set(diagnostics.faults)],
    selfCheckFaultCode: faultCode > 0 ? faultCode : null,
  });
}

export function deviceUnknownResult(device: string): SourceResult {
  return failedWith('NOT_FOUND', { kind: 'deviceUnknown', device });
}

export function testPrintResult(result: PrintResult): SourceResult {
  return result.ok
    ? succeeded({ kind: 'testPrinted' })
    : failedWith('DEVICE_FAULT', { kind: 'printFailed', fault: printFault(result.reason) });
}

export function noPrinterResult(): SourceResult {
  return failedWith('DEVICE_FAULT', { kind: 'noPrinter' });
}

/** A sync round; when it stopped early, `lastErrorCode` (the sync engine's own) says why. */
export function syncResult(round: SyncRound, lastErrorCode: ErrorCode | null): SourceResult {
  const counts = { synced: round.synced, quarantined: round.quarantined };
  return round.failed
    ? failedWith(lastErrorCode ?? 'SERVER_UNREACHABLE', { kind: 'syncFailed', ...counts })
    : succeeded({ kind: 'synced', ...counts });
}

/** Set-aside deposits put back in the queue, and the sync round after. */
export function retrySetAsideResult(
  requeued: number,
  round: SyncRound,
  lastErrorCode: ErrorCode | null,
): SourceResult {
  if (round.failed) return syncResult(round, lastErrorCode);
  return succeeded({
    kind: 'setAsideRetried',
    requeued,
    synced: round.synced,
    quarantined: round.quarantined,
  });
}

/** One bag taken out of one money device. */
export interface CollectedBag {
  device: string;
  pieces: number;
  totalMinor: number;
}

export function collectResult(currency: CurrencyCode, bags: CollectedBag[]): SourceResult {
  return bags.length === 0
    ? succeeded({ kind: 'noMoneyDevices' })
    : succeeded({ kind: 'collected', currency, bags });
}

export function reprintResult(outcome: ReprintOutcome): SourceResult {
  if ('unknown' in outcome) return failedWith('NOT_FOUND', { kind: 'depositUnknown' });
  return outcome.ok
    ? succeeded({ kind: 'receiptReprinted', sequence: outcome.sequence })
    : failedWith('DEVICE_FAULT', { kind: 'printFailed', fault: outcome.fault });
}

/**
 * Something threw: a failing device must not take maintenance mode down with it. Its message is the one
 * piece of free text on the bridge (it comes from outside our words), cut short; the screen labels it.
 */
export function unexpectedFailureResult(error: unknown): SourceResult {
  const detail = error instanceof Error ? error.message : String(error);
  return failedWith('INTERNAL', { kind: 'failed', detail: detail.slice(0, maintenanceDetailCharsMax) });
}
