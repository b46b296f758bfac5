import type { Language } from '../schemas/common.js';
import type { CurrencyCode } from './currency.js';
import { currencies } from './currency.js';
import { minorToDecimalString } from './money.js';

// Intl.NumberFormat objects are costly to build and the kiosk formats on every coin, so they are kept.
// The cache is bounded by the number of (locale, currency, display) triples the product uses.
const formatters = new Map<string, Intl.NumberFormat>();
const formattersMax = 256;

function formatterFor(locale: string, currency: CurrencyCode, display: 'symbol' | 'code'): Intl.NumberFormat {
  const key = `${locale}|${currency}|${display}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const exponent = currencies[currency].exponent;
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      currencyDisplay: display,
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    if (formatters.size >= formattersMax) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * Formats minor units for a locale ("$1,234.56" in en-US, "1.234,56 €" in de-DE). The amount reaches Intl
 * as an exact decimal string, so even amounts past 2^53 minor units print every digit.
 */
export function formatMoney(
  amountMinor: number | bigint,
  currency: CurrencyCode,
  locale: string = currencies[currency].defaultLocale,
  display: 'symbol' | 'code' = 'symbol',
): string {
  const decimal = minorToDecimalString(amountMinor, currency);
  // Intl.NumberFormat accepts decimal strings exactly (ECMA-402 NumberFormat v3); the lib types lag behind.
  return formatterFor(locale, currency, display).format(decimal as unknown as number);
}

/**
 * The locale money and dates are shown in: the shopper's language in the currency's home region ("es" with
 * USD gives "es-US", "en" with MXN gives "en-MX"), so Spanish words never bring pesos formatting to dollars.
 */
export function localeFor(language: Language, currency: CurrencyCode): string {
  const region = currencies[currency].defaultLocale.split('-')[1];
  return region === undefined ? language : `${language}-${region}`;
}
