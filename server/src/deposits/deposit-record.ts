import type { CurrencyCode, depositReviewReasons } from '@cashin/shared';
import type { SqlValue, Tx } from '../storage/db.js';

export const depositStatuses = ['credited', 'inReview', 'reversed', 'suspense'] as const;
export type DepositStatus = (typeof depositStatuses)[number];

/** Why a deposit whose cash was already taken was credited for review instead of refused. */
export type ReviewReason = (typeof depositReviewReasons)[number];

export interface DepositRecord {
  readonly transferId: string;
  readonly shopperId: string | null;
  readonly walletAccountId: string | null;
  readonly codeHash: string;
  readonly codeMasked: string;
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
  readonly sourceAccountId: string;
  readonly cashAlreadyTaken: boolean;
  readonly status: DepositStatus;
  readonly reviewReason: ReviewReason | null;
  readonly cashReportFlag: boolean;
  readonly claimId: string | null;
  readonly createdAtMs: number;
}

interface DepositRow extends Record<string, unknown> {
  transfer_id: string;
  shopper_id: string | null;
  wallet_account_id: string | null;
  code_hash: string;
  code_masked: string;
  amount_minor: number;
  currency: CurrencyCode;
  source_account_id: string;
  cash_already_taken: number;
  status: DepositStatus;
  review_reason: ReviewReason | null;
  cash_report_flag: number;
  claim_id: string | null;
  created_at_ms: number;
}

const depositColumns =
  'transfer_id, shopper_id, wallet_account_id, code_hash, code_masked, amount_minor, currency, source_account_id, cash_already_taken, status, review_reason, cash_report_flag, claim_id, created_at_ms';

export async function findDeposit(tx: Tx, transferId: string): Promise<DepositRecord | undefined> {
  const row = await tx.get<DepositRow>(`SELECT ${depositColumns} FROM deposits WHERE transfer_id = ?`, [
    transferId,
  ]);
  if (row === undefined) return undefined;
  return {
    transferId: row.transfer_id,
    shopperId: row.shopper_id,
    walletAccountId: row.wallet_account_id,
    codeHash: row.code_hash,
    codeMasked: row.code_masked,
    amountMinor: row.amount_minor,
    currency: row.currency,
    sourceAccountId: row.source_account_id,
    cashAlreadyTaken: row.cash_already_taken === 1,
    status: row.status,
    reviewReason: row.review_reason,
    cashReportFlag: row.cash_report_flag === 1,
    claimId: row.claim_id,
    createdAtMs: row.created_at_ms,
  };
}

/** One deposit record's insert, with `depositValues` as its parameters (also SQLite's fast deposit's). */
export const insertDepositSql = `INSERT INTO deposits (${depositColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export async function insertDeposit(tx: Tx, record: DepositRecord): Promise<void> {
  await tx.run(insertDepositSql, depositValues(record));
}

/** The deposits columns in the order `depositValues` fills them, for multi-row inserts. */
export const depositColumnList: readonly string[] = depositColumns.split(', ');

export function depositValues(record: DepositRecord): SqlValue[] {
  return [
    record.transferId,
    record.shopperId,
    record.walletAccountId,
    record.codeHash,
    record.codeMasked,
    record.amountMinor,
    record.currency,
    record.sourceAccountId,
    record.cashAlreadyTaken ? 1 : 0,
    record.status,
    record.reviewReason,
    record.cashReportFlag ? 1 : 0,
    record.claimId,
    record.createdAtMs,
  ];
}
