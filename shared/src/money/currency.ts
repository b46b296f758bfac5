import { z } from 'zod';

/**
 * The currencies the network handles, with the exponent of their minor unit (ISO 4217) and the locale a
 * receipt uses when the shopper has chosen none. Amounts are always integers in the minor unit.
 */
export const currencies = {
  USD: { code: 'USD', exponent: 2, defaultLocale: 'en-US' },
  MXN: { code: 'MXN', exponent: 2, defaultLocale: 'es-MX' },
  EUR: { code: 'EUR', exponent: 2, defaultLocale: 'de-DE' },
  GBP: { code: 'GBP', exponent: 2, defaultLocale: 'en-GB' },
  INR: { code: 'INR', exponent: 2, defaultLocale: 'en-IN' },
  JPY: { code: 'JPY', exponent: 0, defaultLocale: 'ja-JP' },
} as const;

export type CurrencyCode = keyof typeof currencies;
export type Currency = (typeof currencies)[CurrencyCode];

export const currencyCodes = Object.keys(currencies) as [CurrencyCode, ...CurrencyCode[]];

export const CurrencyCodeSchema = z.enum(currencyCodes);

export function isCurrencyCode(value: string): value is CurrencyCode {
  return Object.hasOwn(currencies, value);
}

export function currencyOf(code: CurrencyCode): Currency {
  return currencies[code];
}

/** 10 ** exponent, as an integer: the number of minor units in one major unit. */
export function minorPerMajor(code: CurrencyCode): number {
  return 10 ** currencies[code].exponent;
}
