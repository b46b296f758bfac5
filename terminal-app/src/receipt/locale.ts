import type { CurrencyCode, Language } from '@cashin/shared';
import { currencies } from '@cashin/shared';

/**
 * The locale a kiosk formats money and dates in: the shopper's language in the currency's home region
 * ("es" with USD gives "es-US", "en" with MXN gives "en-MX"), so a Spanish speaker in Texas sees "$1.00"
 * with Spanish words, not pesos formatting.
 */
export function localeFor(language: Language, currency: CurrencyCode): string {
  const region = currencies[currency].defaultLocale.split('-')[1];
  return region === undefined ? language : `${language}-${region}`;
}
