import type { OpsShopper } from '@cashin/shared';
import { CodedError, maskCode } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import { countCodeTry } from '../codes/code-lookup.js';
import { activeDepositCode } from '../codes/deposit-codes.js';
import type { Deps } from '../deps.js';
import { findShopperByPhone, publicShopper } from '../shoppers/shoppers.js';
import { walletView } from './wallet.js';

/**
 * A shopper found by phone number, for ops on a support call ("my deposit did not arrive"): the wallet
 * exactly as the shopper's app shows it, each entry with its id (what a reversal names), their deposit code
 * masked as receipts print it, and when they signed up. NOT_FOUND (field phone) when no wallet has it.
 *
 * A search answers a right number differently from a wrong one, and with a person's name and money: each
 * counts against the operator's tries per minute (codeLookupsPerMinuteMax, as a code lookup does; found
 * or not, and the count commits even when refused), and each shopper shown is written to their audit chain
 * with who looked (`by`), so who saw whose wallet can be told later.
 */
export async function shopperForOps(deps: Deps, phone: string, by: string): Promise<OpsShopper> {
  const nowMs = deps.clock.nowMs();
  const found = await deps.db.transaction(async (tx) => {
    if (!(await countCodeTry(tx, deps, `ops:${by}`))) return 'RATE_LIMITED' as const;
    const shopper = await findShopperByPhone(tx, phone);
    if (shopper === undefined) return undefined;
    await appendAudit(tx, { kind: 'shopper.viewed', subject: shopper.id, data: { by } }, nowMs);
    const signedUp = await tx.get<{ created_at_ms: number | string }>(
      'SELECT created_at_ms FROM shoppers WHERE id = ?',
      [shopper.id],
    );
    return {
      id: shopper.id,
      depositCodeMasked: maskCode(await activeDepositCode(tx, shopper.id)),
      signedUpAtMs: Number(signedUp?.created_at_ms),
    };
  });
  if (found === 'RATE_LIMITED') throw new CodedError('RATE_LIMITED');
  if (found === undefined) throw new CodedError('NOT_FOUND', { field: 'phone' });
  const view = await walletView(deps, found.id);
  return {
    ...view,
    shopper: publicShopper(view.shopper),
    depositCodeMasked: found.depositCodeMasked,
    signedUpAtMs: found.signedUpAtMs,
  };
}
