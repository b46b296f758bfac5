import type { Code, CurrencyCode, KycTier, Language } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import { issueDepositCode } from '../codes/deposit-codes.js';
import type { Deps } from '../deps.js';
import { ensureAccount } from '../ledger/accounts.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';

export interface Shopper {
  readonly id: string;
  readonly phone: string;
  readonly name: string | null;
  readonly language: Language;
  readonly currency: CurrencyCode;
  readonly kycTier: KycTier;
  readonly walletAccountId: string;
}

interface ShopperRow extends Record<string, unknown> {
  id: string;
  phone: string;
  name: string | null;
  language: Language;
  currency: CurrencyCode;
  kyc_tier: number;
  wallet_account_id: string;
}

const shopperColumns = 'id, phone, name, language, currency, kyc_tier, wallet_account_id';

function shopperFromRow(row: ShopperRow): Shopper {
  return {
    id: row.id,
    phone: row.phone,
    name: row.name,
    language: row.language,
    currency: row.currency,
    kycTier: row.kyc_tier === 1 ? 1 : 0,
    walletAccountId: row.wallet_account_id,
  };
}

export async function findShopper(tx: Tx, id: string): Promise<Shopper | undefined> {
  const row = await tx.get<ShopperRow>(`SELECT ${shopperColumns} FROM shoppers WHERE id = ?`, [id]);
  return row === undefined ? undefined : shopperFromRow(row);
}

export async function findShopperByPhone(tx: Tx, phone: string): Promise<Shopper | undefined> {
  const row = await tx.get<ShopperRow>(`SELECT ${shopperColumns} FROM shoppers WHERE phone = ?`, [phone]);
  return row === undefined ? undefined : shopperFromRow(row);
}

export interface SignUp {
  readonly phone: string;
  readonly name?: string | undefined;
  readonly language: Language;
  readonly currency: CurrencyCode;
}

/**
 * Opens a wallet: the shopper, their wallet in their currency and their first deposit code, inside `tx`.
 * Public sign-up reaches it only once a code texted to the phone is verified (shoppers/otp.ts).
 */
export async function createShopperIn(
  tx: Tx,
  deps: Deps,
  input: SignUp,
  nowMs: number,
): Promise<{ shopper: Shopper; depositCode: Code }> {
  const id = deps.newId();
  const walletAccountId = await ensureAccount(
    tx,
    { kind: 'wallet', ownerRef: id, currency: input.currency },
    deps.newId,
    nowMs,
  );
  const inserted = await tx.run(
    `INSERT INTO shoppers (${shopperColumns}, created_at_ms) VALUES (?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING`,
    [id, input.phone, input.name ?? null, input.language, input.currency, walletAccountId, nowMs],
  );
  if (inserted === 0) throw new CodedError('SHOPPER_EXISTS');
  await appendAudit(
    tx,
    { kind: 'account.opened', subject: id, data: { walletAccountId, currency: input.currency } },
    nowMs,
  );
  const depositCode = await issueDepositCode(tx, deps, id, nowMs);
  const shopper = await findShopper(tx, id);
  if (shopper === undefined) throw new Error('a shopper just inserted must exist');
  return { shopper, depositCode };
}

/**
 * Opens a wallet at once, with no code texted to the phone: for trusted set-up code only (seeds,
 * benchmarks, tests), never for a route, since nobody proved the number is theirs.
 */
export async function createShopper(
  deps: Deps,
  input: SignUp,
): Promise<{ shopper: Shopper; depositCode: Code }> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction((tx) => createShopperIn(tx, deps, input, nowMs));
}

/** Sets a shopper's KYC tier (and so their limits); `by` is the ops caller, for the audit trail. */
export async function setKycTier(deps: Deps, shopperId: string, tier: KycTier, by: string): Promise<Shopper> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    // Read under the row's lock (PostgreSQL), so the tier the audit says it was is the one replaced.
    const before = await tx.get<{ kyc_tier: number }>(
      `SELECT kyc_tier FROM shoppers WHERE id = ?${forUpdate(tx.dialect)}`,
      [shopperId],
    );
    if (before === undefined) throw new CodedError('NOT_FOUND');
    await tx.run('UPDATE shoppers SET kyc_tier = ? WHERE id = ?', [tier, shopperId]);
    await appendAudit(
      tx,
      {
        kind: 'shopper.kycChanged',
        subject: shopperId,
        data: { tier, fromTier: Number(before.kyc_tier), by },
      },
      nowMs,
    );
    const shopper = await findShopper(tx, shopperId);
    if (shopper === undefined) throw new Error('a shopper just updated must exist');
    return shopper;
  });
}

/** A shopper as the API answers them (ShopperSchema): without the ledger account behind the wallet. */
export function publicShopper(shopper: Shopper) {
  return {
    id: shopper.id,
    phone: shopper.phone,
    name: shopper.name,
    language: shopper.language,
    currency: shopper.currency,
    kycTier: shopper.kycTier,
  };
}

/** "Maria Gonzalez" -> "Maria G.": what a clerk or kiosk may show to confirm the right wallet. */
export function maskedName(name: string | null): string {
  if (name === null || name.trim() === '') return '***';
  const [first, ...rest] = name.trim().split(/\s+/);
  const last = rest.at(-1);
  return last === undefined ? (first ?? '***') : `${first ?? ''} ${last.charAt(0).toUpperCase()}.`;
}
