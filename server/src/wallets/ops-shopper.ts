import type { OpsShopper } from '@cashin/shared';
import { CodedError, maskCode } from '@cashin/shared';
import { activeDepositCode } from '../codes/deposit-codes.js';
import type { Deps } from '../deps.js';
import { findShopperByPhone, publicShopper } from '../shoppers/shoppers.js';
import { walletView } from './wallet.js';

/**
 * A shopper found by phone number, for ops on a support call ("my deposit did not arrive"): the wallet
 * exactly as the shopper's app shows it, each entry with its id (what a reversal names), their deposit code
 * masked as receipts print it, and when they signed up. NOT_FOUND (field phone) when no wallet has it.
 */
export async function shopperForOps(deps: Deps, phone: string): Promise<OpsShopper> {
  const found = await deps.db.transaction(async (tx) => {
    const shopper = await findShopperByPhone(tx, phone);
    if (shopper === undefined) return undefined;
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
  if (found === undefined) throw new CodedError('NOT_FOUND', { field: 'phone' });
  const view = await walletView(deps, found.id);
  return {
    ...view,
    shopper: publicShopper(view.shopper),
    depositCodeMasked: found.depositCodeMasked,
    signedUpAtMs: found.signedUpAtMs,
  };
}
