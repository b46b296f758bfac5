import { z } from 'zod';
import type { CurrencyCode } from './currency.js';
import { CurrencyCodeSchema, currencies } from './currency.js';

/**
 * Money is an integer number of minor units in one currency. Plain `number` is exact for integers up to
 * 2^53 - 1, far above any single deposit; totals that could pass it (ledger-wide sums) use bigint.
 */
export interface Money {
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
}

/** The largest amount any single movement may carry: 2^53 - 1 minor units. */
export const amountMinorMax = Number.MAX_SAFE_INTEGER;

export class MoneyError extends RangeError {
  override name = 'MoneyError';
}

export function isAmountMinor(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function assertAmountMinor(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new MoneyError(`${what} must be a safe integer of minor units`);
}

/** a + b, exact, or a MoneyError when the sum leaves the safe-integer range. Never rounds. */
export function addMinor(a: number, b: number): number {
  assertAmountMinor(a, 'left operand');
  assertAmountMinor(b, 'right operand');
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new MoneyError('sum of minor units overflows the safe-integer range');
  return sum;
}

/** a - b, exact, or a MoneyError when the difference leaves the safe-integer range. */
export function subtractMinor(a: number, b: number): number {
  assertAmountMinor(b, 'right operand');
  return addMinor(a, -b);
}

/** amount * count (for n coins of one denomination), exact, or a MoneyError on overflow. */
export function multiplyMinor(amountMinor: number, count: number): number {
  assertAmountMinor(amountMinor, 'amount');
  assertAmountMinor(count, 'count');
  const product = amountMinor * count;
  if (!Number.isSafeInteger(product)) throw new MoneyError('product of minor units overflows');
  return product;
}

/** Sums any number of amounts with a running overflow check. */
export function sumMinor(amounts: Iterable<number>): number {
  let total = 0;
  for (const amount of amounts) total = addMinor(total, amount);
  return total;
}

/** Sums without any bound, for ledger-wide totals. */
export function sumMinorBig(amounts: Iterable<number | bigint>): bigint {
  let total = 0n;
  for (const amount of amounts) {
    if (typeof amount === 'number') assertAmountMinor(amount, 'amount');
    total += BigInt(amount);
  }
  return total;
}

export function compareMinor(a: number, b: number): -1 | 0 | 1 {
  assertAmountMinor(a, 'left operand');
  assertAmountMinor(b, 'right operand');
  return a < b ? -1 : a > b ? 1 : 0;
}

export function money(amountMinor: number, currency: CurrencyCode): Money {
  assertAmountMinor(amountMinor, 'amount');
  return { amountMinor, currency };
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new MoneyError(`cannot combine ${a.currency} with ${b.currency}`);
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { amountMinor: addMinor(a.amountMinor, b.amountMinor), currency: a.currency };
}

export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b);
  return compareMinor(a.amountMinor, b.amountMinor);
}

/**
 * The exact decimal text of an amount in major units ("1234.56", "-0.05", "500" for JPY), built from
 * digits so no float ever touches the value.
 */
export function minorToDecimalString(amountMinor: number | bigint, currency: CurrencyCode): string {
  const exponent = currencies[currency].exponent;
  const negative = amountMinor < 0;
  const digits = (negative ? -BigInt(amountMinor) : BigInt(amountMinor)).toString();
  if (exponent === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(exponent + 1, '0');
  const major = padded.slice(0, -exponent);
  const minor = padded.slice(-exponent);
  return `${negative ? '-' : ''}${major}.${minor}`;
}

export type ParseAmountResult =
  | { ok: true; amountMinor: number }
  | { ok: false; reason: 'empty' | 'notANumber' | 'tooManyDecimals' | 'negative' | 'tooLarge' };

/**
 * An amount as typed: whole units, plain ("1250") or with commas between groups of three ("1,250"), then
 * optionally a dot and the decimals.
 */
const typedAmountPattern = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$/;

/**
 * Parses what a clerk keys in ("20", "20.5", "20.50", "1,250.00") into minor units. Accepts a comma only
 * between groups of three whole digits and a dot only as the decimal point; refuses more decimals than the
 * currency has. A comma anywhere else is refused, never dropped: a clerk used to a decimal comma who types
 * "5,00" means five, and dropping the comma would read five hundred.
 */
export function parseMajorAmount(text: string, currency: CurrencyCode): ParseAmountResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'empty' };
  if (trimmed.startsWith('-')) return { ok: false, reason: 'negative' };
  const match = typedAmountPattern.exec(trimmed);
  if (!match) return { ok: false, reason: 'notANumber' };
  const exponent = currencies[currency].exponent;
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return { ok: false, reason: 'tooManyDecimals' };
  const minor = BigInt((match[1] ?? '0').replaceAll(',', '') + fraction.padEnd(exponent, '0'));
  if (minor > BigInt(amountMinorMax)) return { ok: false, reason: 'tooLarge' };
  return { ok: true, amountMinor: Number(minor) };
}

/** Minor units on the wire: a non-negative safe integer. Fractions, negatives and floats are refused. */
export const AmountMinorSchema = z.number().int().nonnegative().max(amountMinorMax);

/** A strictly positive amount (a deposit, a transfer). */
export const PositiveAmountMinorSchema = z.number().int().positive().max(amountMinorMax);

export const MoneySchema = z.object({
  amountMinor: AmountMinorSchema,
  currency: CurrencyCodeSchema,
});
