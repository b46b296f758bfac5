import type { MessageParams } from '@cashin/shared';

/**
 * The error catalogue's placeholders ({remaining}, {minimum}, {maximum}, {expected}, {minutes}) filled from
 * the server's details, which carry amounts in minor units. A slip's amount comes as slipAmountMinor (the
 * till's AMOUNT_MISMATCH), so {expected} takes either name.
 */
export function errorParams(
  details: Readonly<Record<string, unknown>>,
  money: (amountMinor: number) => string,
): MessageParams {
  const params: Record<string, string> = {};
  const amounts: Record<string, readonly string[]> = {
    remaining: ['remainingMinor'],
    minimum: ['minimumMinor'],
    maximum: ['maximumMinor'],
    expected: ['expectedMinor', 'slipAmountMinor'],
  };
  for (const [placeholder, fields] of Object.entries(amounts)) {
    for (const field of fields) {
      const value = details[field];
      if (typeof value === 'number' && Number.isSafeInteger(value)) {
        params[placeholder] = money(value);
        break;
      }
    }
  }
  // A clerk's PIN lock: how many minutes it lasts at most.
  const lockMinutes = details['lockMinutes'];
  if (typeof lockMinutes === 'number' && Number.isSafeInteger(lockMinutes))
    params['minutes'] = String(lockMinutes);
  // No deposits left today: whatever amount is left cannot be used until the window rolls on.
  if (details['remainingDeposits'] === 0 && params['remaining'] !== undefined) params['remaining'] = money(0);
  return params;
}
