import type { Language, MaintenanceOutcomeKind, MaintenanceResult } from '@cashin/shared';
import {
  MaintenanceOutcomeSchema,
  MaintenanceResultSchema,
  errorMessage,
  formatMoney,
  localeFor,
  translator,
} from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import type { MaintenanceWords } from './maintenance-result-text.js';
import { maintenanceResultText } from './maintenance-result-text.js';
import { kioskMessages } from './messages.js';

// Every result the agent can send, worded in each language the kiosk speaks, with the real catalogues.
function wordsIn(language: Language): MaintenanceWords {
  return {
    t: translator(kioskMessages, language),
    errorText: (code) => errorMessage(code, language),
    money: (amountMinor, currency) => formatMoney(amountMinor, currency, localeFor(language, currency)),
  };
}

const failed = (
  code: MaintenanceResult['code'],
  outcome: MaintenanceResult['outcome'],
): MaintenanceResult => ({
  op: 'selfTest',
  ok: false,
  code,
  outcome,
});
const passed = (outcome: MaintenanceResult['outcome']): MaintenanceResult => ({
  op: 'selfTest',
  ok: true,
  code: null,
  outcome,
});

/** One result of each kind (some kinds twice, for their variants), with the values its words must show. */
const results: Array<{ result: MaintenanceResult; shows: Array<string | number> }> = [
  { result: passed({ kind: 'unlocked' }), shows: [] },
  { result: passed({ kind: 'locked' }), shows: [] },
  { result: failed('FORBIDDEN', { kind: 'pinRequired' }), shows: [] },
  { result: failed('PIN_INVALID', { kind: 'pinWrong' }), shows: [] },
  { result: failed('PIN_LOCKED', { kind: 'pinLocked' }), shows: [] },
  { result: passed({ kind: 'refreshed' }), shows: [] },
  { result: passed({ kind: 'selfTestPassed', device: 'coin-left' }), shows: ['coin-left'] },
  {
    result: failed('DEVICE_FAULT', {
      kind: 'selfTestFailed',
      device: 'coin-left',
      answered: true,
      faults: ['jam', 'selfCheckFailed'],
      selfCheckFaultCode: 6,
    }),
    shows: ['coin-left', 6],
  },
  {
    result: failed('DEVICE_FAULT', {
      kind: 'selfTestFailed',
      device: 'counter',
      answered: true,
      faults: [],
      selfCheckFaultCode: null,
    }),
    shows: ['counter'],
  },
  {
    result: failed('DEVICE_FAULT', {
      kind: 'selfTestFailed',
      device: 'bill',
      answered: false,
      faults: [],
      selfCheckFaultCode: null,
    }),
    shows: ['bill'],
  },
  { result: failed('NOT_FOUND', { kind: 'deviceUnknown', device: 'hopper' }), shows: ['hopper'] },
  { result: passed({ kind: 'testPrinted' }), shows: [] },
  { result: failed('DEVICE_FAULT', { kind: 'noPrinter' }), shows: [] },
  { result: failed('DEVICE_FAULT', { kind: 'printFailed', fault: 'coverOpen' }), shows: [] },
  { result: failed('DEVICE_FAULT', { kind: 'printFailed', fault: null }), shows: [] },
  { result: passed({ kind: 'synced', synced: 17, quarantined: 3 }), shows: [17, 3] },
  { result: failed('SERVER_UNREACHABLE', { kind: 'syncFailed', synced: 4, quarantined: 2 }), shows: [4, 2] },
  {
    result: passed({ kind: 'setAsideRetried', requeued: 5, synced: 3, quarantined: 2 }),
    shows: [5, 3, 2],
  },
  {
    result: passed({
      kind: 'collected',
      currency: 'MXN',
      bags: [
        { device: 'coin', pieces: 312, totalMinor: 12_345 },
        { device: 'bill', pieces: 4, totalMinor: 80_000 },
      ],
    }),
    shows: ['coin', 312, 'bill'],
  },
  { result: passed({ kind: 'noMoneyDevices' }), shows: [] },
  { result: passed({ kind: 'receiptReprinted', sequence: 40 }), shows: [40] },
  { result: failed('NOT_FOUND', { kind: 'depositUnknown' }), shows: [] },
  { result: failed('INTERNAL', { kind: 'failed', detail: 'EIO: read failed' }), shows: [] },
];

describe('maintenance result text', () => {
  it('has a result of every kind the bridge can carry', () => {
    const kinds = MaintenanceOutcomeSchema.options.map((option) => option.shape.kind.value);
    const covered = new Set<MaintenanceOutcomeKind>(results.map(({ result }) => result.outcome.kind));
    expect(kinds.filter((kind) => !covered.has(kind))).toEqual([]);
    for (const { result } of results) MaintenanceResultSchema.parse(result);
  });

  it.each(results.map(({ result, shows }) => [result.outcome.kind, result, shows] as const))(
    '%s: worded in English and Spanish, with its values and no placeholder left',
    (_kind, result, shows) => {
      const english = maintenanceResultText(result, wordsIn('en'));
      const spanish = maintenanceResultText(result, wordsIn('es'));
      expect(spanish.text).not.toEqual(english.text);
      for (const { text } of [english, spanish]) {
        expect(text).not.toMatch(/[{}]/);
        for (const value of shows) expect(text).toContain(String(value));
      }
    },
  );

  it("shows a collection's amounts in its own currency, formatted for the language", () => {
    const [collected] = results.filter(({ result }) => result.outcome.kind === 'collected');
    const spanish = maintenanceResultText(collected!.result, wordsIn('es')).text;
    expect(spanish).toContain(formatMoney(12_345, 'MXN', localeFor('es', 'MXN')));
    expect(spanish).toContain(formatMoney(80_000, 'MXN', localeFor('es', 'MXN')));
  });

  it("keeps an unexpected failure's own English words apart, as a detail, and only for that kind", () => {
    for (const { result } of results) {
      const { detail } = maintenanceResultText(result, wordsIn('es'));
      expect(detail).toBe(result.outcome.kind === 'failed' ? 'EIO: read failed' : null);
    }
    const spanish = maintenanceResultText(results.at(-1)!.result, wordsIn('es'));
    expect(spanish.text).not.toContain('EIO');
  });

  it("words a stopped sync with the stopping error's own message", () => {
    const stopped = failed('TERMINAL_DISABLED', { kind: 'syncFailed', synced: 0, quarantined: 0 });
    expect(maintenanceResultText(stopped, wordsIn('es')).text).toContain(
      errorMessage('TERMINAL_DISABLED', 'es'),
    );
  });
});
