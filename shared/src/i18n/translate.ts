import type { Language } from '../schemas/common.js';

/**
 * A message catalogue per language, and the one way to read it. Messages carry `{name}` placeholders;
 * a placeholder with no value is left visible rather than silently dropped, so a missing value is seen in
 * screenshots and tests instead of producing a sentence with a hole in it.
 */
export type Catalogue<Key extends string> = Record<Language, Record<Key, string>>;

export type MessageParams = Readonly<Record<string, string | number>>;

export function interpolate(template: string, params: MessageParams = {}): string {
  return template.replace(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g, (placeholder, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : placeholder,
  );
}

/** A translator for one catalogue and language; unknown keys are a programmer error. */
export function translator<Key extends string>(catalogue: Catalogue<Key>, language: Language) {
  const messages = catalogue[language];
  return (key: Key, params?: MessageParams): string => {
    const template = messages[key];
    if (template === undefined) throw new Error(`no ${language} message for ${key}`);
    return interpolate(template, params);
  };
}

/** The placeholders a message uses, for checking that every language asks for the same values. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g)].map((match) => match[1]!).sort();
}
