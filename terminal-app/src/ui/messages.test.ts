import { DeviceFaultSchema, DeviceKindSchema, languages, placeholdersOf } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import type { KioskMessageKey } from './messages.js';
import { kioskMessages } from './messages.js';

/** Words that are the same in both languages on purpose: names of languages, "PIN", a bare pattern. */
const sameInEveryLanguage = new Set<KioskMessageKey>([
  'language.en',
  'language.es',
  'insert.itemLine',
  'maintenance.pinLabel',
  'maintenance.terminal',
  'maintenance.bagCounts',
]);

describe('kiosk messages', () => {
  const english = kioskMessages.en;
  const keys = Object.keys(english) as KioskMessageKey[];

  it('have the same keys, asking for the same values, in every language', () => {
    for (const language of languages) {
      expect(Object.keys(kioskMessages[language]).sort(), language).toEqual([...keys].sort());
      for (const key of keys) {
        expect(placeholdersOf(kioskMessages[language][key]), `${language} ${key}`).toEqual(
          placeholdersOf(english[key]),
        );
      }
    }
  });

  it('are not left in English in Spanish', () => {
    const untranslated = keys.filter(
      (key) => !sameInEveryLanguage.has(key) && kioskMessages.es[key] === english[key],
    );
    expect(untranslated).toEqual([]);
  });

  it('name every device fault and kind the maintenance screen can show', () => {
    for (const fault of DeviceFaultSchema.options) expect(keys).toContain(`maintenance.fault.${fault}`);
    for (const kind of DeviceKindSchema.options) expect(keys).toContain(`maintenance.deviceKind.${kind}`);
  });
});
