import type { Code, CurrencyCode, KycTier } from '@cashin/shared';
import { maskCode } from '@cashin/shared';
import type { AuditEntry } from '../audit/audit-log.js';
import { auditGenesisHash, nextAuditLink } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { transferColumns } from '../ledger/transfer.js';
import type { WalletUsage, WalletUsageRow } from '../limits/allowance.js';
import {
  allowance,
  allows,
  needsCashReport,
  rollingDayMs,
  rollingMonthMs,
  walletUsageFromRow,
} from '../limits/allowance.js';
import { addToColumn, insertRows, selectIn } from '../storage/bulk-sql.js';
import type { SqlValue, Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
import { codeHash } from './credit-deposit.js';
import type { DepositRecord, ReviewReason } from './deposit-record.js';
import { depositColumnList, depositValues } from './deposit-record.js';

/**
 * The batch ledger path: many deposits of cash already taken (a kiosk's sync batch), each to the wallet of
 * an active shopper deposit code, credited with a fixed number of set-based statements however many
 * deposits there are, inside the caller's transaction. It writes exactly the rows creditDeposit writes for
 * each of them (transfer, wallet credit, deposit record, audit entry on the wallet's chain) and applies the
 * same limits, so a deposit's outcome does not depend on which path credited it: the contract tests run
 * mixed batches on both databases and verify the ledger and every audit chain afterwards.
 *
 * Cash already taken is never refused: a deposit past the wallet's limits is credited `inReview` with
 * `limitExceeded`. Deposits to one wallet are checked in the order given, each seeing the ones before it,
 * as one-at-a-time crediting would.
 */

/** A shopper deposit code that may take money now, with the wallet it credits. */
export interface CodeWallet {
  readonly shopperId: string;
  readonly kycTier: KycTier;
  readonly walletAccountId: string;
  readonly currency: CurrencyCode;
}

interface CodeWalletRow extends Record<string, unknown> {
  code: string;
  code_status: 'active' | 'revoked';
  revoked_at_ms: number | null;
  shopper_id: string;
  shopper_currency: string;
  kyc_tier: number;
  wallet_account_id: string;
  wallet_currency: string;
  wallet_running: number;
}

/**
 * The wallets of `codes` (shopper deposit codes), in one query per chunk of codes. A code is answered only
 * when creditDeposit would credit its wallet: active or within its rotation grace, and the shopper's and
 * the wallet's currency equal, and no parent's caps on the wallet. Every other code is left out, and its
 * deposit takes the general path: suspense with a claim code for an unknown, revoked or other-currency
 * code; for a capped child's wallet, creditDeposit, which weighs the caps and holds cash over them for
 * review.
 */
export async function walletsOfCodes(
  tx: Tx,
  codes: readonly Code[],
  nowMs: number,
  rotationGraceMs: number,
): Promise<Map<Code, CodeWallet>> {
  const rows = await selectIn<CodeWalletRow>(
    tx,
    (inList) => `SELECT dc.code, dc.status AS code_status, dc.revoked_at_ms, s.id AS shopper_id,
       s.currency AS shopper_currency, s.kyc_tier, s.wallet_account_id, w.currency AS wallet_currency,
       w.keeps_running_balance AS wallet_running
  FROM deposit_codes dc
  JOIN shoppers s ON s.id = dc.shopper_id
  JOIN accounts w ON w.id = s.wallet_account_id
 WHERE dc.code IN (${inList})
   AND NOT EXISTS (SELECT 1 FROM wallet_caps c WHERE c.wallet_account_id = s.wallet_account_id)`,
    [...new Set(codes)],
  );
  const wallets = new Map<Code, CodeWallet>();
  for (const row of rows) {
    const usable =
      row.code_status === 'active' ||
      (row.revoked_at_ms !== null && nowMs - row.revoked_at_ms < rotationGraceMs);
    if (!usable || row.shopper_currency !== row.wallet_currency || row.wallet_running !== 1) continue;
    wallets.set(row.code as Code, {
      shopperId: row.shopper_id,
      kycTier: row.kyc_tier === 1 ? 1 : 0,
      walletAccountId: row.wallet_account_id,
      currency: row.wallet_currency as CurrencyCode,
    });
  }
  return wallets;
}

export interface TakenCashDeposit {
  /** The transfer id: chosen by whoever first recorded the cash, and not yet in the ledger. */
  readonly id: string;
  readonly code: Code;
  readonly amountMinor: number;
  readonly wallet: CodeWallet;
  /**
   * The device that took the cash asked for a person to look (lost coin events, a crash): the deposit
   * record is stored `inReview`. The audit entry records the credit as the ledger decided it, as a hold
   * placed after crediting does on the one-at-a-time path.
   */
  readonly heldForReview: boolean;
}

export interface TakenCashCredit {
  readonly status: 'credited' | 'inReview';
  readonly reviewReason: ReviewReason | null;
  readonly cashReportFlagged: boolean;
}

interface AuditHeadRow extends Record<string, unknown> {
  chain: string;
  seq: number;
  hash: string;
}

interface UsageByWalletRow extends WalletUsageRow {
  wallet_account_id: string;
}

const transferColumnList = transferColumns.split(', ');

/**
 * Credits `deposits` (ids not yet in the ledger, amounts positive, all in `currency`, wallets from
 * walletsOfCodes in that currency) from `sourceAccountId` (a kiosk bag or store drawer of that currency).
 * Answers one credit per deposit, in order. On PostgreSQL the wallet rows are locked in id order first,
 * then their audit chain heads in the same order, so batches crediting the same wallets queue rather than
 * deadlock; the rolling-window usage is read after the locks, so it includes every committed deposit.
 */
export async function creditTakenCashInBulk(
  tx: Tx,
  deps: Pick<Deps, 'limits'>,
  source: { readonly accountId: string; readonly currency: CurrencyCode },
  deposits: readonly TakenCashDeposit[],
  nowMs: number,
): Promise<TakenCashCredit[]> {
  if (deposits.length === 0) return [];
  for (const deposit of deposits) {
    if (!Number.isSafeInteger(deposit.amountMinor) || deposit.amountMinor <= 0)
      throw new Error('a bulk deposit amount must be a positive safe integer');
    if (deposit.wallet.currency !== source.currency) throw new Error('a bulk deposit crosses currencies');
  }
  const walletIds = [...new Set(deposits.map((deposit) => deposit.wallet.walletAccountId))].sort();
  if (tx.dialect === 'postgres') {
    await selectIn(
      tx,
      (inList) => `SELECT id FROM accounts WHERE id IN (${inList}) ORDER BY id${forUpdate(tx.dialect)}`,
      walletIds,
    );
  }
  const usage = await usageByWallet(tx, walletIds, nowMs);
  const heads = await lockAuditHeads(tx, walletIds);

  const transfers: SqlValue[][] = [];
  const records: SqlValue[][] = [];
  const auditRows: SqlValue[][] = [];
  const credits: TakenCashCredit[] = [];
  for (const deposit of deposits) {
    const walletId = deposit.wallet.walletAccountId;
    const before = usage.get(walletId) ?? { dayMinor: 0, dayDeposits: 0, monthMinor: 0 };
    const allowed = allowance(deps.limits, source.currency, deposit.wallet.kycTier, before);
    const reviewReason: ReviewReason | null = allows(allowed, deposit.amountMinor) ? null : 'limitExceeded';
    const cashReportFlagged = needsCashReport(deps.limits, source.currency, before, deposit.amountMinor);
    usage.set(walletId, {
      dayMinor: before.dayMinor + deposit.amountMinor,
      dayDeposits: before.dayDeposits + 1,
      monthMinor: before.monthMinor + deposit.amountMinor,
    });
    const status = reviewReason === null ? 'credited' : 'inReview';
    const record: DepositRecord = {
      transferId: deposit.id,
      shopperId: deposit.wallet.shopperId,
      walletAccountId: walletId,
      codeHash: codeHash(deposit.code),
      codeMasked: maskCode(deposit.code),
      amountMinor: deposit.amountMinor,
      currency: source.currency,
      sourceAccountId: source.accountId,
      cashAlreadyTaken: true,
      status: deposit.heldForReview ? 'inReview' : status,
      reviewReason,
      cashReportFlag: cashReportFlagged,
      claimId: null,
      createdAtMs: nowMs,
    };
    transfers.push([
      deposit.id,
      source.accountId,
      walletId,
      deposit.amountMinor,
      source.currency,
      'deposit',
      null,
      null,
      nowMs,
    ]);
    records.push(depositValues(record));
    const entry: AuditEntry = {
      kind: 'deposit.credited',
      subject: walletId,
      data: {
        depositId: deposit.id,
        code: record.codeMasked,
        amountMinor: deposit.amountMinor,
        currency: source.currency,
        source: source.accountId,
        status,
      },
    };
    const link = nextAuditLink(entry, heads.get(walletId), nowMs);
    heads.set(walletId, { seq: link.seq, hash: link.hash });
    auditRows.push([walletId, link.seq, nowMs, entry.kind, link.data, link.hash]);
    credits.push({
      status: record.status === 'inReview' ? 'inReview' : 'credited',
      reviewReason,
      cashReportFlagged,
    });
  }

  await insertRows(tx, 'transfers', transferColumnList, transfers);
  const walletCredits = new Map<string, number>();
  for (const deposit of deposits) {
    const walletId = deposit.wallet.walletAccountId;
    walletCredits.set(walletId, (walletCredits.get(walletId) ?? 0) + deposit.amountMinor);
  }
  const changed = await addToColumn(
    tx,
    'accounts',
    'credits_posted',
    walletIds.map((id) => ({ id, amount: walletCredits.get(id) ?? 0 })),
  );
  if (changed !== walletIds.length) throw new Error('a wallet vanished inside a transaction');
  await insertRows(tx, 'deposits', depositColumnList, records);
  await insertRows(tx, 'audit_log', ['chain', 'seq', 'at_ms', 'kind', 'data', 'hash'], auditRows);
  await insertRows(
    tx,
    'audit_heads',
    ['chain', 'seq', 'hash'],
    walletIds.map((id) => {
      const head = heads.get(id);
      if (head === undefined) throw new Error('every credited wallet has an audit head');
      return [id, head.seq, head.hash];
    }),
    ' ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
  );
  return credits;
}

/** The rolling-window usage of each wallet (the query of `walletUsage`, grouped, for many wallets). */
async function usageByWallet(
  tx: Tx,
  walletIds: readonly string[],
  nowMs: number,
): Promise<Map<string, WalletUsage>> {
  const dayStartMs = nowMs - rollingDayMs;
  const rows = await selectIn<UsageByWalletRow>(
    tx,
    (inList) => `SELECT wallet_account_id,
       SUM(CASE WHEN created_at_ms > ? THEN amount_minor ELSE 0 END) AS day_minor,
       COUNT(CASE WHEN created_at_ms > ? THEN 1 END) AS day_count,
       SUM(amount_minor) AS month_minor
     FROM deposits
     WHERE wallet_account_id IN (${inList}) AND created_at_ms > ? AND status IN ('credited', 'inReview')
     GROUP BY wallet_account_id`,
    walletIds,
    [dayStartMs, dayStartMs],
    [nowMs - rollingMonthMs],
  );
  return new Map(rows.map((row) => [row.wallet_account_id, walletUsageFromRow(row)]));
}

/**
 * The audit chain heads of the wallets, locked in chain order (PostgreSQL; SQLite has one writer). A
 * chain without a head yet gets its genesis head first, as appendAudit does.
 */
async function lockAuditHeads(
  tx: Tx,
  chains: readonly string[],
): Promise<Map<string, { seq: number; hash: string }>> {
  const select = (list: readonly string[]) =>
    selectIn<AuditHeadRow>(
      tx,
      (inList) =>
        `SELECT chain, seq, hash FROM audit_heads WHERE chain IN (${inList}) ORDER BY chain${forUpdate(tx.dialect)}`,
      list,
    );
  const heads = new Map((await select(chains)).map((row) => [row.chain, { seq: row.seq, hash: row.hash }]));
  const missing = chains.filter((chain) => !heads.has(chain));
  if (missing.length > 0) {
    await insertRows(
      tx,
      'audit_heads',
      ['chain', 'seq', 'hash'],
      missing.map((chain) => [chain, 0, auditGenesisHash]),
      ' ON CONFLICT DO NOTHING',
    );
    for (const row of await select(missing)) heads.set(row.chain, { seq: row.seq, hash: row.hash });
  }
  return heads;
}
