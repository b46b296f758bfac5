import type {
  CurrencyCode,
  DeviceFault,
  ErrorCode,
  MaintenanceOutcome,
  MaintenanceResult,
  MessageParams,
} from '@cashin/shared';
import type { KioskMessageKey } from './messages.js';

/**
 * What the tech reads for a maintenance result, in the kiosk's language. The agent sends a kind and its
 * values, never a sentence; the words are all here and in messages.ts. `detail` is set only for an
 * unexpected failure, whose own English message the screen shows apart, labelled as such.
 */
export interface MaintenanceWords {
  t: (key: KioskMessageKey, params?: MessageParams) => string;
  errorText: (code: ErrorCode) => string;
  money: (amountMinor: number, currency: CurrencyCode) => string;
}

export interface MaintenanceResultText {
  text: string;
  detail: string | null;
}

export function maintenanceResultText(
  result: MaintenanceResult,
  words: MaintenanceWords,
): MaintenanceResultText {
  const { outcome } = result;
  if (outcome.kind === 'failed')
    return { text: words.t('maintenance.result.failed'), detail: outcome.detail };
  if (outcome.kind === 'syncFailed') {
    const reason = words.errorText(result.code ?? 'SERVER_UNREACHABLE');
    const counts = { synced: outcome.synced, quarantined: outcome.quarantined };
    return { text: words.t('maintenance.result.syncFailed', { ...counts, reason }), detail: null };
  }
  return { text: outcomeText(outcome, words), detail: null };
}

export function faultText(fault: DeviceFault, words: Pick<MaintenanceWords, 't'>): string {
  return words.t(`maintenance.fault.${fault}`);
}

function outcomeText(
  outcome: Exclude<MaintenanceOutcome, { kind: 'failed' | 'syncFailed' }>,
  words: MaintenanceWords,
): string {
  const { t } = words;
  switch (outcome.kind) {
    case 'unlocked':
    case 'locked':
    case 'pinRequired':
    case 'pinWrong':
    case 'pinLocked':
    case 'refreshed':
    case 'testPrinted':
    case 'noPrinter':
    case 'noMoneyDevices':
    case 'depositUnknown':
      return t(`maintenance.result.${outcome.kind}`);
    case 'selfTestPassed':
    case 'deviceUnknown':
      return t(`maintenance.result.${outcome.kind}`, { device: outcome.device });
    case 'selfTestFailed':
      return selfTestFailedText(outcome, words);
    case 'printFailed':
      return outcome.fault === null
        ? t('maintenance.result.printNoAnswer')
        : t('maintenance.result.printFailed', { fault: faultText(outcome.fault, words) });
    case 'synced':
      return t('maintenance.result.synced', { synced: outcome.synced, quarantined: outcome.quarantined });
    case 'setAsideRetried':
      return t('maintenance.result.setAsideRetried', {
        requeued: outcome.requeued,
        synced: outcome.synced,
        quarantined: outcome.quarantined,
      });
    case 'collected':
      return t('maintenance.result.collected', { bags: collectedBagsText(outcome, words) });
    case 'receiptReprinted':
      return t('maintenance.result.receiptReprinted', { sequence: outcome.sequence });
  }
}

function selfTestFailedText(
  outcome: Extract<MaintenanceOutcome, { kind: 'selfTestFailed' }>,
  words: MaintenanceWords,
): string {
  const { t } = words;
  if (!outcome.answered) return t('maintenance.result.selfTestNoAnswer', { device: outcome.device });
  const findings = outcome.faults.map((fault) => faultText(fault, words));
  if (outcome.selfCheckFaultCode !== null)
    findings.push(t('maintenance.result.selfCheckCode', { code: outcome.selfCheckFaultCode }));
  // A failure the device gave no reason for still reads as one.
  if (findings.length === 0) findings.push(faultText('selfCheckFailed', words));
  return t('maintenance.result.selfTestFailed', { device: outcome.device, faults: findings.join(', ') });
}

function collectedBagsText(
  outcome: Extract<MaintenanceOutcome, { kind: 'collected' }>,
  words: MaintenanceWords,
): string {
  return outcome.bags
    .map((bag) =>
      words.t('maintenance.result.collectedBag', {
        device: bag.device,
        amount: words.money(bag.totalMinor, outcome.currency),
        pieces: bag.pieces,
      }),
    )
    .join('; ');
}
