import type { ErrorCode } from '../errors/catalogue.js';
import { errorMessageKey } from '../errors/catalogue.js';
import type { Language } from '../schemas/common.js';
import type { Catalogue, MessageParams } from './translate.js';
import { interpolate } from './translate.js';
import type { ErrorMessageKey } from './messages-en.js';
import { errorMessagesEn } from './messages-en.js';
import { errorMessagesEs } from './messages-es.js';

export const errorCatalogue: Catalogue<ErrorMessageKey> = { en: errorMessagesEn, es: errorMessagesEs };

/** The plain-words message for an error code in a language, with its details filled in. */
export function errorMessage(code: ErrorCode, language: Language, params?: MessageParams): string {
  return interpolate(errorCatalogue[language][errorMessageKey(code) as ErrorMessageKey], params);
}
