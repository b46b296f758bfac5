import { z } from 'zod';

/** A phone number in E.164: "+", country code, subscriber number; 8 to 15 digits in all. */
export const PhoneE164Schema = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{7,14}$/, 'expected an E.164 phone number such as +15551234567');

/** The languages the product speaks. */
export const languages = ['en', 'es'] as const;
export const LanguageSchema = z.enum(languages);
export type Language = z.infer<typeof LanguageSchema>;

/** A BCP 47 locale for formatting ("en-US", "es-MX"); checked against Intl, which knows them all. */
export const LocaleSchema = z.string().refine((value) => {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}, 'expected a BCP 47 locale such as en-US');

/** Timestamps on the wire are ISO 8601 in UTC with milliseconds, as Date.prototype.toISOString writes. */
export const IsoTimestampSchema = z.iso.datetime({ offset: false, precision: 3 });

/** Short free text typed by people (names, reasons): trimmed, bounded, no control characters. */
export function textSchema(lengthMax: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(lengthMax)
    .regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed');
}
