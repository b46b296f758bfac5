import type { Code, CurrencyCode, MoneyLimits } from '@cashin/shared';
import { codeTypeOf, maskCode } from '@cashin/shared';
import { nextAuditLink } from '../audit/audit-log.js';
import {
  allowanceWithin,
  allows,
  cashReportDue,
  walletUsageFromRow,
  walletUsageParams,
  walletUsageSql,
} from '../limits/allowance.js';
import type { WalletUsageRow } from '../limits/allowance.js';
import { sha256Hex } from '../secrets/hash.js';
import type { SqliteProcedure } from '../storage/sqlite/writer-lane.js';
import type { DepositRecord, ReviewReason } from './deposit-record.js';
import { depositValues, insertDepositSql } from './deposit-record.js';

/**
 * The common deposit on SQLite, as plain data: everything the fast path needs travels with the deposit, so
 * it can run on the writer thread's own connection (storage/sqlite/writer-lane.ts) as well as inside a
 * unit of the main connection's group commit.
 */
export interface FastDepositItem {
  readonly id: string;
  readonly code: Code;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly sourceAccountId: string;
  readonly cashAlreadyTaken: boolean;
  readonly nowMs: number;
  readonly codeRotationGraceMs: number;
  /** The deposit currency's limits. */
  readonly money: MoneyLimits;
}

/** `created`: written, to be answered from `record`; `fallback`: nothing written, the general path decides. */
export type FastDepositOutcome =
  | { readonly outcome: 'created'; readonly record: DepositRecord; readonly shopperName: string | null }
  | { readonly outcome: 'fallback' };

export const cashSourceKinds: ReadonlySet<string> = new Set(['storeDrawer', 'kioskBag']);

export function codeHash(code: Code): string {
  return sha256Hex(`code:${code}`);
}

/**
 * Everything the common deposit needs to know, in one statement: the code, its shopper and wallet, the
 * source account, whether the id was seen, the wallet's audit chain head, and whether it has caps.
 */
const fastReadSql = `SELECT dc.status AS code_status, dc.revoked_at_ms, s.id AS shopper_id, s.name,
       s.currency AS shopper_currency, s.kyc_tier, s.wallet_account_id, w.currency AS wallet_currency,
       w.keeps_running_balance AS wallet_running, src.kind AS source_kind, src.currency AS source_currency,
       EXISTS (SELECT 1 FROM transfers t WHERE t.id = ?) AS seen, h.seq AS audit_seq, h.hash AS audit_hash,
       c.wallet_account_id IS NOT NULL AS capped
  FROM deposit_codes dc
  JOIN shoppers s ON s.id = dc.shopper_id
  JOIN accounts w ON w.id = s.wallet_account_id
  LEFT JOIN accounts src ON src.id = ?
  LEFT JOIN audit_heads h ON h.chain = s.wallet_account_id
  LEFT JOIN wallet_caps c ON c.wallet_account_id = s.wallet_account_id
 WHERE dc.code = ?`;

interface FastRow {
  code_status: 'active' | 'revoked';
  revoked_at_ms: number | null;
  shopper_id: string;
  name: string | null;
  shopper_currency: string;
  kyc_tier: number;
  wallet_account_id: string;
  wallet_currency: string;
  wallet_running: number;
  source_kind: string | null;
  source_currency: string | null;
  seen: number;
  audit_seq: number | null;
  audit_hash: string | null;
  capped: number;
}

const insertTransferSql =
  "INSERT INTO transfers (id, debit_account_id, credit_account_id, amount_minor, currency, code, reverses_id, reason, created_at_ms) VALUES (?, ?, ?, ?, ?, 'deposit', NULL, NULL, ?)";
const creditWalletSql = 'UPDATE accounts SET credits_posted = credits_posted + ? WHERE id = ?';
const insertAuditSql =
  'INSERT INTO audit_log (chain, seq, at_ms, kind, data, hash) VALUES (?, ?, ?, ?, ?, ?)';
const auditHeadSql =
  'INSERT INTO audit_heads (chain, seq, hash) VALUES (?, ?, ?) ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash';

/**
 * The common deposit (a shopper deposit code, active or in its rotation grace, the wallet's currency, a new
 * id, within limits or with the cash already taken): two reads and five writes on cached statements. It
 * writes exactly the rows the general path writes for that case (migration 006 does the same on
 * PostgreSQL) and answers `fallback`, having written nothing, for everything else, which the general
 * path then handles.
 */
export const sqliteFastDeposit: SqliteProcedure<FastDepositItem, FastDepositOutcome> = (statement, item) => {
  const fallback = { outcome: 'fallback' } as const;
  if (codeTypeOf(item.code) !== 'deposit') return fallback;
  if (!Number.isSafeInteger(item.amountMinor) || item.amountMinor <= 0) return fallback;
  const row = statement(fastReadSql).get(item.id, item.sourceAccountId, item.code) as FastRow | undefined;
  if (row === undefined || row.seen !== 0) return fallback;
  if (row.source_kind === null || !cashSourceKinds.has(row.source_kind)) return fallback;
  if (row.source_currency !== item.currency) return fallback;
  const usable =
    row.code_status === 'active' ||
    (row.revoked_at_ms !== null && item.nowMs - row.revoked_at_ms < item.codeRotationGraceMs);
  if (!usable) return fallback;
  if (row.shopper_currency !== item.currency || row.wallet_currency !== item.currency) return fallback;
  if (row.wallet_running !== 1) return fallback;
  // A wallet with a parent's caps takes the general path, which weighs the caps.
  if (row.capped !== 0) return fallback;

  const walletAccountId = row.wallet_account_id;
  const usage = walletUsageFromRow(
    statement(walletUsageSql).get(...walletUsageParams(walletAccountId, item.nowMs)) as
      WalletUsageRow | undefined,
  );
  const allowed = allowanceWithin(item.money, row.kyc_tier === 1 ? 1 : 0, usage);
  let reviewReason: ReviewReason | null = null;
  if (!allows(allowed, item.amountMinor)) {
    // Refusing needs the coded error with what is still allowed: the general path answers that.
    if (!item.cashAlreadyTaken) return fallback;
    reviewReason = 'limitExceeded';
  }
  const record: DepositRecord = {
    transferId: item.id,
    shopperId: row.shopper_id,
    walletAccountId,
    codeHash: codeHash(item.code),
    codeMasked: maskCode(item.code),
    amountMinor: item.amountMinor,
    currency: item.currency,
    sourceAccountId: item.sourceAccountId,
    cashAlreadyTaken: item.cashAlreadyTaken,
    status: reviewReason === null ? 'credited' : 'inReview',
    reviewReason,
    cashReportFlag: cashReportDue(item.money, usage, item.amountMinor),
    claimId: null,
    createdAtMs: item.nowMs,
  };
  statement(insertTransferSql).run(
    item.id,
    item.sourceAccountId,
    walletAccountId,
    item.amountMinor,
    item.currency,
    item.nowMs,
  );
  statement(creditWalletSql).run(item.amountMinor, walletAccountId);
  statement(insertDepositSql).run(...depositValues(record));
  const entry = {
    kind: 'deposit.credited' as const,
    subject: walletAccountId,
    data: {
      depositId: item.id,
      code: record.codeMasked,
      amountMinor: item.amountMinor,
      currency: item.currency,
      source: item.sourceAccountId,
      status: record.status,
    },
  };
  const head =
    row.audit_seq === null || row.audit_hash === null
      ? undefined
      : { seq: row.audit_seq, hash: row.audit_hash };
  const link = nextAuditLink(entry, head, item.nowMs);
  statement(insertAuditSql).run(walletAccountId, link.seq, item.nowMs, entry.kind, link.data, link.hash);
  statement(auditHeadSql).run(walletAccountId, link.seq, link.hash);
  return { outcome: 'created', record, shopperName: row.name };
};

/** What the writer thread runs: its module is loaded there by URL (writer-lane.ts). */
export const procedure = sqliteFastDeposit;
