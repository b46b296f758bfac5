import type { CurrencyCode } from '@cashin/shared';
import type { OpsWords } from './ops-context.js';

/** A signed difference: "+$0.25" over, "−$0.25" short, plain when none. */
export function signedMoney(words: OpsWords, amountMinor: number, currency: CurrencyCode): string {
  const amount = words.money(Math.abs(amountMinor), currency);
  if (amountMinor > 0) return `+${amount}`;
  return amountMinor < 0 ? `−${amount}` : amount;
}
