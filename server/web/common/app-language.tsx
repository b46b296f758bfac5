import type { Language } from '@cashin/shared';
import { useEffect } from 'preact/hooks';
import { LanguageSwitch } from './components.js';
import { safeStorage } from './i18n.js';

/** The languages every app offers, each named in its own language so a reader finds theirs. */
const languageOptions: readonly { value: Language; label: string; lang: string }[] = [
  { value: 'en', label: 'English', lang: 'en' },
  { value: 'es', label: 'Español', lang: 'es' },
];

/** The top bar's language switch; the choice is kept on this device under `storageKey` for the next visit. */
export function AppLanguageSwitch({
  current,
  label,
  storageKey,
  onChange,
}: {
  current: Language;
  label: string;
  storageKey: string;
  onChange: (language: Language) => void;
}) {
  return (
    <LanguageSwitch
      current={current}
      label={label}
      options={languageOptions}
      onChange={(next) => {
        onChange(next);
        safeStorage(localStorage)?.setItem(storageKey, next);
      }}
    />
  );
}

/**
 * Keeps the page's `lang` and title in step with the language shown, so a screen reader pronounces the
 * words right and the tab names the app in the reader's language.
 */
export function useDocumentLanguage(language: Language, title: string): void {
  useEffect(() => {
    document.documentElement.lang = language;
    document.title = title;
  }, [language]);
}
