import { describe, expect, it } from 'vitest';
import { errorCodes } from '../errors/catalogue.js';
import { languages } from '../schemas/common.js';
import { errorCatalogue, errorMessage } from './error-messages.js';
import { interpolate, placeholdersOf, translator } from './translate.js';

describe('error messages', () => {
  it('exist for every error code in every language, and are not left in English', () => {
    for (const language of languages) {
      for (const code of errorCodes) {
        const message = errorMessage(code, language);
        expect(message.length, `${language} ${code}`).toBeGreaterThan(5);
      }
    }
    const identical = errorCodes.filter((code) => errorMessage(code, 'en') === errorMessage(code, 'es'));
    expect(identical).toEqual([]);
  });

  it('ask for the same values in every language', () => {
    for (const key of Object.keys(errorCatalogue.en) as (keyof typeof errorCatalogue.en)[]) {
      expect(placeholdersOf(errorCatalogue.es[key]), key).toEqual(placeholdersOf(errorCatalogue.en[key]));
    }
  });

  it('fill in the details a client has', () => {
    expect(errorMessage('LIMIT_EXCEEDED', 'en', { remaining: '$12.50' })).toContain('$12.50');
    expect(errorMessage('LIMIT_EXCEEDED', 'es', { remaining: '$12.50' })).toContain('$12.50');
  });
});

describe('translate', () => {
  it('leaves a placeholder with no value visible', () => {
    expect(interpolate('Hello {name}, {missing}', { name: 'Ana' })).toBe('Hello Ana, {missing}');
  });

  it('throws on a key the catalogue does not have', () => {
    const t = translator({ en: { hello: 'Hello' }, es: { hello: 'Hola' } }, 'es');
    expect(t('hello')).toBe('Hola');
    expect(() => (t as (key: string) => string)('nope')).toThrow();
  });
});
