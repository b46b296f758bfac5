import type { Code } from '@cashin/shared';
import { FakeClock, createUuidV7Generator, defaultLimits } from '@cashin/shared';
import { pino } from 'pino';
import type { Deps } from '../deps.js';
import { ensureAccount } from '../ledger/accounts.js';
import { createShopper } from '../shoppers/shoppers.js';
import type { Db } from '../storage/db.js';
import { CapturingSender, nextPhone } from './test-app.js';

/** Services without HTTP, for property tests that run many sequences. */
export function testDeps(db: Db): Deps & { clock: FakeClock } {
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 12));
  return {
    db,
    clock,
    limits: defaultLimits,
    newId: createUuidV7Generator(() => clock.nowMs()),
    messageSender: new CapturingSender(),
    claimCodeSecret: 'test-claim-code-secret-0123456789abcdef',
    logger: pino({ level: 'silent' }),
  };
}

export async function seedShopper(
  deps: Deps,
): Promise<{ shopperId: string; walletAccountId: string; code: Code }> {
  const { shopper, depositCode } = await createShopper(deps, {
    phone: nextPhone(),
    name: 'Ana Ruiz',
    language: 'es',
    currency: 'USD',
  });
  return { shopperId: shopper.id, walletAccountId: shopper.walletAccountId, code: depositCode };
}

export async function seedDrawer(deps: Deps, ownerRef = 'store-1'): Promise<string> {
  return deps.db.transaction((tx) =>
    ensureAccount(tx, { kind: 'storeDrawer', ownerRef, currency: 'USD' }, deps.newId, deps.clock.nowMs()),
  );
}
