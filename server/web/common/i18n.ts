import type { Catalogue, CurrencyCode, ErrorCode, Language, MessageParams } from '@cashin/shared';
import { errorMessage, formatMoney, languages, localeFor, translator } from '@cashin/shared';
import { errorParams } from './error-params.js';

/** The user's language: what they chose before (kept on the device), else the browser's, else English. */
export function initialLanguage(storageKey: string): Language {
  const stored = safeStorage(localStorage)?.getItem(storageKey);
  if (isLanguage(stored)) return stored;
  for (const tag of navigator.languages) {
    const base = tag.split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/** Storage can be switched off (private modes, strict settings); the apps then keep state in memory only. */
export function safeStorage(storage: Storage): Storage | undefined {
  try {
    const probe = '__cashin_probe__';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    return undefined;
  }
}

/** Words, money, dates and errors in one language, for one app's catalogue. */
export interface Words<Key extends string> {
  readonly language: Language;
  readonly locale: string;
  t(key: Key, params?: MessageParams): string;
  money(amountMinor: number, currency: CurrencyCode): string;
  dateTime(epochMs: number): string;
  date(epochMs: number): string;
  error(code: ErrorCode, details?: Readonly<Record<string, unknown>>, currency?: CurrencyCode): string;
}

export function wordsFor<Key extends string>(
  catalogue: Catalogue<Key>,
  language: Language,
  currency: CurrencyCode,
): Words<Key> {
  const locale = localeFor(language, currency);
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const money = (amountMinor: number, inCurrency: CurrencyCode): string =>
    formatMoney(amountMinor, inCurrency, localeFor(language, inCurrency));
  return {
    language,
    locale,
    t: translator(catalogue, language),
    money,
    dateTime: (epochMs) => dateTimeFormat.format(epochMs),
    date: (epochMs) => dateFormat.format(epochMs),
    error: (code, details = {}, inCurrency = currency) =>
      errorMessage(
        code,
        language,
        errorParams(details, (minor) => money(minor, inCurrency)),
      ),
  };
}

export { localeFor };
