import type { Code, LookupResponse } from '@cashin/shared';
import { CodedError, codeTypeOf } from '@cashin/shared';
import { lookupCode } from '../codes/code-lookup.js';
import type { Deps } from '../deps.js';
import type { TerminalCaller } from './request-verification.js';

/**
 * A kiosk's code lookup: the masked name and what the wallet may still take, counted against the
 * terminal's own enumeration limit (codeLookupsPerMinuteMax, in the database). The wallet balance lets
 * the receipt print the new balance. A wallet in another currency than the kiosk's bag cannot take its
 * cash: CURRENCY_MISMATCH, before any coin goes in.
 */
export async function terminalLookup(
  deps: Deps,
  caller: TerminalCaller,
  code: Code,
): Promise<LookupResponse> {
  const found = await lookupCode(deps, `terminal:${caller.terminalId}`, code);
  const context = await deps.db.transaction(async (tx) => {
    const terminal = await tx.get<{ currency: string }>('SELECT currency FROM terminals WHERE id = ?', [
      caller.terminalId,
    ]);
    const owner =
      codeTypeOf(code) === 'slip'
        ? await tx.get<{ shopper_id: string }>('SELECT shopper_id FROM slips WHERE code = ?', [code])
        : await tx.get<{ shopper_id: string }>('SELECT shopper_id FROM deposit_codes WHERE code = ?', [code]);
    const balance =
      owner === undefined
        ? undefined
        : await tx.get<{ balance_minor: number }>(
            `SELECT a.credits_posted - a.debits_posted AS balance_minor
             FROM shoppers s JOIN accounts a ON a.id = s.wallet_account_id WHERE s.id = ?`,
            [owner.shopper_id],
          );
    return { terminalCurrency: terminal?.currency, balanceMinor: balance?.balance_minor ?? null };
  });
  if (context.terminalCurrency !== found.currency) throw new CodedError('CURRENCY_MISMATCH');
  return {
    maskedName: found.maskedName,
    currency: found.currency,
    remainingMinor: found.allowance.remainingDeposits > 0 ? found.allowance.remainingMinor : 0,
    balanceMinor: context.balanceMinor === null ? null : Number(context.balanceMinor),
    slipAmountMinor: found.slipAmountMinor,
  };
}
