import type { Code, WalletCaps } from '@cashin/shared';
import { CodedError, familyChildrenMax } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import { activeDepositCode, issueDepositCode } from '../codes/deposit-codes.js';
import type { Deps } from '../deps.js';
import { ensureAccount } from '../ledger/accounts.js';
import type { Shopper } from '../shoppers/shoppers.js';
import { findShopper } from '../shoppers/shoppers.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
import type { WalletView } from '../wallets/wallet.js';
import { walletView } from '../wallets/wallet.js';
import { findWalletCaps } from './wallet-caps.js';

/**
 * Family accounts: a parent's child wallets. A child is a shopper row with a parent and no phone of its
 * own (migration 020), so every deposit path, limit and masked name works for it unchanged; only its
 * parent may see it or set its caps, and to anyone else a child that is not theirs does not exist
 * (NOT_FOUND, never FORBIDDEN, so ids cannot be probed).
 */
export interface ChildSummary {
  readonly id: string;
  readonly name: string;
  readonly currency: Shopper['currency'];
  readonly balanceMinor: number;
  readonly caps: WalletCaps;
}

interface ChildRow extends Record<string, unknown> {
  id: string;
  name: string;
  currency: Shopper['currency'];
  wallet_account_id: string;
  balance_minor: number | string;
  deposit_max_minor: number | string | null;
  daily_max_minor: number | string | null;
}

const childSelect = `SELECT s.id, s.name, s.currency, s.wallet_account_id,
    a.credits_posted - a.debits_posted AS balance_minor, c.deposit_max_minor, c.daily_max_minor
  FROM shoppers s JOIN accounts a ON a.id = s.wallet_account_id
  LEFT JOIN wallet_caps c ON c.wallet_account_id = s.wallet_account_id`;

function childFromRow(row: ChildRow): ChildSummary {
  const amount = (value: number | string | null) => (value === null ? null : Number(value));
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    balanceMinor: Number(row.balance_minor),
    caps: { depositMaxMinor: amount(row.deposit_max_minor), dailyMaxMinor: amount(row.daily_max_minor) },
  };
}

/** The parent's child, or NOT_FOUND: the one gate every family read and write goes through. */
async function ownChild(tx: Tx, parentId: string, childId: string): Promise<ChildRow> {
  const row = await tx.get<ChildRow>(`${childSelect} WHERE s.id = ? AND s.parent_shopper_id = ?`, [
    childId,
    parentId,
  ]);
  if (row === undefined) throw new CodedError('NOT_FOUND', { field: 'childId' });
  return row;
}

export async function listChildren(deps: Deps, parentId: string): Promise<ChildSummary[]> {
  return deps.db.transaction(async (tx) =>
    (
      await tx.all<ChildRow>(
        `${childSelect} WHERE s.parent_shopper_id = ? ORDER BY s.created_at_ms, s.id LIMIT ${familyChildrenMax}`,
        [parentId],
      )
    ).map(childFromRow),
  );
}

/**
 * Opens a child's wallet in the parent's currency and language, with its own deposit code, atomically.
 * A child cannot have children, and a parent at most familyChildrenMax of them (the parent's row is
 * locked while counting, so two requests at once cannot both pass the bound).
 */
export async function addChild(
  deps: Deps,
  parentId: string,
  name: string,
): Promise<{ child: ChildSummary; depositCode: Code }> {
  const nowMs = deps.clock.nowMs();
  const id = deps.newId();
  return deps.db.transaction(async (tx) => {
    const parent = await tx.get<{ parent_shopper_id: string | null; language: string; currency: string }>(
      `SELECT parent_shopper_id, language, currency FROM shoppers WHERE id = ?${forUpdate(tx.dialect)}`,
      [parentId],
    );
    if (parent === undefined) throw new CodedError('UNAUTHENTICATED');
    if (parent.parent_shopper_id !== null) throw new CodedError('FORBIDDEN', { reason: 'childAccount' });
    const count = await tx.get<{ children: number | string }>(
      'SELECT COUNT(*) AS children FROM shoppers WHERE parent_shopper_id = ?',
      [parentId],
    );
    if (Number(count?.children ?? 0) >= familyChildrenMax)
      throw new CodedError('CONFLICT', { reason: 'familyChildrenMax', childrenMax: familyChildrenMax });
    const parentShopper = await findShopper(tx, parentId);
    if (parentShopper === undefined) throw new Error('a locked shopper vanished');
    const walletAccountId = await ensureAccount(
      tx,
      { kind: 'wallet', ownerRef: id, currency: parentShopper.currency },
      deps.newId,
      nowMs,
    );
    await tx.run(
      `INSERT INTO shoppers (id, phone, name, language, currency, kyc_tier, wallet_account_id, parent_shopper_id, created_at_ms)
       VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      [
        id,
        `child:${id}`,
        name,
        parentShopper.language,
        parentShopper.currency,
        walletAccountId,
        parentId,
        nowMs,
      ],
    );
    await appendAudit(
      tx,
      { kind: 'account.opened', subject: id, data: { walletAccountId, currency: parentShopper.currency } },
      nowMs,
    );
    await appendAudit(tx, { kind: 'family.childAdded', subject: parentId, data: { childId: id } }, nowMs);
    const depositCode = await issueDepositCode(tx, deps, id, nowMs);
    return { child: childFromRow(await ownChild(tx, parentId, id)), depositCode };
  });
}

/** Sets (or clears, with nulls) the caps on a child's wallet; they hold from the next deposit on. */
export async function setChildCaps(
  deps: Deps,
  parentId: string,
  childId: string,
  caps: WalletCaps,
): Promise<ChildSummary> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const child = await ownChild(tx, parentId, childId);
    if (caps.depositMaxMinor === null && caps.dailyMaxMinor === null) {
      await tx.run('DELETE FROM wallet_caps WHERE wallet_account_id = ?', [child.wallet_account_id]);
    } else {
      await tx.run(
        `INSERT INTO wallet_caps (wallet_account_id, deposit_max_minor, daily_max_minor, set_by_shopper_id, updated_at_ms)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (wallet_account_id) DO UPDATE SET deposit_max_minor = excluded.deposit_max_minor,
           daily_max_minor = excluded.daily_max_minor, set_by_shopper_id = excluded.set_by_shopper_id,
           updated_at_ms = excluded.updated_at_ms`,
        [child.wallet_account_id, caps.depositMaxMinor, caps.dailyMaxMinor, parentId, nowMs],
      );
    }
    await appendAudit(
      tx,
      {
        kind: 'family.capsSet',
        subject: child.wallet_account_id,
        data: {
          by: parentId,
          depositMaxMinor: caps.depositMaxMinor,
          dailyMaxMinor: caps.dailyMaxMinor,
          currency: child.currency,
        },
      },
      nowMs,
    );
    return { ...childFromRow(child), caps: await findWalletCaps(tx, child.wallet_account_id) };
  });
}

/** A child's wallet as its parent sees it: balance, allowance under the caps, code, and history. */
export async function childWallet(
  deps: Deps,
  parentId: string,
  childId: string,
): Promise<{ child: ChildSummary; view: WalletView; depositCode: Code }> {
  const { child, depositCode } = await deps.db.transaction(async (tx) => ({
    child: childFromRow(await ownChild(tx, parentId, childId)),
    depositCode: await activeDepositCode(tx, childId),
  }));
  const view = await walletView(deps, childId);
  return { child: { ...child, balanceMinor: view.balanceMinor }, view, depositCode };
}
