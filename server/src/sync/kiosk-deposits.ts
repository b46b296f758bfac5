import type { CurrencyCode, KioskDeposit, SignedFields, serverKioskReviewFlags } from '@cashin/shared';
import { CodedError, kioskReviewFlags, maskCode, parseCode, receiptSigningPayload } from '@cashin/shared';
import { claimCodeHash } from '../claims/claim-code.js';
import type { Deps } from '../deps.js';
import { creditDeposit } from '../deposits/credit-deposit.js';
import { insertRows, selectIn } from '../storage/bulk-sql.js';
import type { SqlValue, Tx } from '../storage/db.js';
import { txView } from '../storage/tx-view.js';
import type { TerminalRecord } from '../terminals/terminal-record.js';
import { postToSuspense } from './suspense-deposit.js';

/** Where a kiosk deposit's money went (kiosk_deposits.credited_to). */
export type CreditedTo = 'wallet' | 'suspense' | 'claim' | 'nothing';

export interface StoredKioskDeposit {
  readonly depositId: string;
  readonly terminalId: string;
  readonly sequence: number;
  /** storedDepositJson of the synced deposit; null while only its receipt is known. */
  readonly fieldsJson: string | null;
  /** storedSignedPayload of its signed fields. */
  readonly signedPayload: string;
  readonly source: 'sync' | 'receipt';
  readonly creditedTo: CreditedTo;
  /** The shopper who redeemed its offline receipt, when the receipt brought the deposit in. */
  readonly receiptRedeemedBy: string | null;
}

interface KioskDepositRow extends Record<string, unknown> {
  deposit_id: string;
  terminal_id: string;
  sequence: number;
  fields_json: string | null;
  signed_payload: string;
  source: 'sync' | 'receipt';
  credited_to: CreditedTo;
  receipt_redeemed_by: string | null;
}

const columns =
  'deposit_id, terminal_id, sequence, fields_json, signed_payload, source, credited_to, receipt_redeemed_by';

function fromRow(row: KioskDepositRow): StoredKioskDeposit {
  return {
    depositId: row.deposit_id,
    terminalId: row.terminal_id,
    sequence: row.sequence,
    fieldsJson: row.fields_json,
    signedPayload: row.signed_payload,
    source: row.source,
    creditedTo: row.credited_to,
    receiptRedeemedBy: row.receipt_redeemed_by,
  };
}

export async function findKioskDeposit(tx: Tx, depositId: string): Promise<StoredKioskDeposit | undefined> {
  const row = await tx.get<KioskDepositRow>(`SELECT ${columns} FROM kiosk_deposits WHERE deposit_id = ?`, [
    depositId,
  ]);
  return row === undefined ? undefined : fromRow(row);
}

export async function findKioskDepositBySequence(
  tx: Tx,
  terminalId: string,
  sequence: number,
): Promise<StoredKioskDeposit | undefined> {
  const row = await tx.get<KioskDepositRow>(
    `SELECT ${columns} FROM kiosk_deposits WHERE terminal_id = ? AND sequence = ?`,
    [terminalId, sequence],
  );
  return row === undefined ? undefined : fromRow(row);
}

/** The stored deposits among `depositIds`, by id (one query per chunk of ids, for a whole sync batch). */
export async function findKioskDeposits(
  tx: Tx,
  depositIds: readonly string[],
): Promise<Map<string, StoredKioskDeposit>> {
  const rows = await selectIn<KioskDepositRow>(
    tx,
    (ids) => `SELECT ${columns} FROM kiosk_deposits WHERE deposit_id IN (${ids})`,
    depositIds,
  );
  return new Map(rows.map((row) => [row.deposit_id, fromRow(row)]));
}

/** The stored deposits of a terminal among `sequences`, by sequence number. */
export async function findKioskDepositsBySequence(
  tx: Tx,
  terminalId: string,
  sequences: readonly number[],
): Promise<Map<number, StoredKioskDeposit>> {
  const rows = await selectIn<KioskDepositRow>(
    tx,
    (numbers) => `SELECT ${columns} FROM kiosk_deposits WHERE terminal_id = ? AND sequence IN (${numbers})`,
    sequences,
    [terminalId],
  );
  return new Map(rows.map((row) => [row.sequence, fromRow(row)]));
}

/**
 * What a person comparing a conflict needs: the fields the server holds for that id or sequence, in their
 * stored form (a voucher's claim code as storedClaimCode), which is what the kiosk gets back.
 */
export function storedFields(stored: StoredKioskDeposit): Record<string, unknown> {
  if (stored.fieldsJson !== null) return JSON.parse(stored.fieldsJson) as Record<string, unknown>;
  return { depositId: stored.depositId, sequence: stored.sequence, signedPayload: stored.signedPayload };
}

/** The flags that hold a deposit for a person to look at, as one comma-separated list (or null). */
export function reviewFlags(
  flags: KioskDeposit['flags'],
  serverFlags: readonly (typeof serverKioskReviewFlags)[number][] = [],
): string | null {
  const held: string[] = [...kioskReviewFlags.filter((flag) => flags[flag]), ...serverFlags];
  return held.length === 0 ? null : held.join(',');
}

export interface KioskCredit {
  readonly creditedTo: CreditedTo;
  readonly inReview: boolean;
  readonly shopperId: string | null;
  readonly maskedName: string | null;
  readonly status: 'credited' | 'inReview' | 'suspense';
}

/**
 * Moves a kiosk deposit's money out of the terminal's bag, once, with the deposit id as the transfer id:
 * to the code's wallet through creditDeposit with the cash already taken (limits overrun offline are
 * credited and held for review; an unknown or revoked code goes to suspense with a claim code), or, for a
 * voucher or a code that is not a deposit or slip code, to suspense under a claim. Runs inside the
 * caller's transaction.
 */
export async function creditKioskMoney(
  tx: Tx,
  deps: Deps,
  terminal: TerminalRecord,
  deposit: SignedFields,
  nowMs: number,
  viewMode: 'savepoints' | 'direct' = 'savepoints',
): Promise<KioskCredit> {
  if (deposit.totalMinor === 0)
    return { creditedTo: 'nothing', inReview: false, shopperId: null, maskedName: null, status: 'credited' };
  const currency = deposit.currency as CurrencyCode;
  const shopperCode = deposit.code === null ? undefined : parseCode(deposit.code, ['deposit', 'slip']);
  if (shopperCode?.ok === true) {
    const receipt = await creditDeposit(
      { ...deps, db: txView(tx, viewMode) },
      {
        id: deposit.depositId,
        code: shopperCode.code,
        amountMinor: deposit.totalMinor,
        currency,
        sourceAccountId: terminal.bagAccountId,
        cashAlreadyTaken: true,
        // The kiosk took the code with the cash when it committed the deposit, perhaps long before this
        // sync: a code the shopper rotated meanwhile was theirs then.
        codeTakenAtMs: Date.parse(deposit.committedAt),
      },
    );
    if (receipt.result !== 'created')
      throw new CodedError('IDEMPOTENCY_CONFLICT', { depositId: deposit.depositId });
    const shopper =
      receipt.status === 'suspense'
        ? null
        : await tx.get<{ shopper_id: string }>('SELECT shopper_id FROM deposits WHERE transfer_id = ?', [
            deposit.depositId,
          ]);
    return {
      creditedTo: receipt.status === 'suspense' ? 'suspense' : 'wallet',
      inReview: receipt.status === 'inReview',
      shopperId: shopper?.shopper_id ?? null,
      maskedName: receipt.maskedName,
      status: receipt.status === 'reversed' ? 'credited' : receipt.status,
    };
  }
  const voucherCode = deposit.claimCode === null ? undefined : parseCode(deposit.claimCode, ['claim']);
  const { usedKioskCode } = await postToSuspense(
    tx,
    deps,
    {
      depositId: deposit.depositId,
      amountMinor: deposit.totalMinor,
      currency,
      bagAccountId: terminal.bagAccountId,
      kioskClaimCode: voucherCode?.ok === true ? voucherCode.code : null,
    },
    nowMs,
  );
  return {
    creditedTo: usedKioskCode ? 'claim' : 'suspense',
    inReview: false,
    shopperId: null,
    maskedName: null,
    status: 'suspense',
  };
}

/** Holds a wallet deposit for review because the kiosk flagged it (lost coin events, a crash, a fault). */
export async function holdForReview(tx: Tx, depositId: string): Promise<void> {
  await tx.run("UPDATE deposits SET status = 'inReview' WHERE transfer_id = ? AND status = 'credited'", [
    depositId,
  ]);
}

export interface NewKioskDeposit {
  readonly depositId: string;
  readonly terminalId: string;
  readonly sequence: number;
  /** storedDepositJson of the synced deposit; null for a deposit known from its receipt. */
  readonly fieldsJson: string | null;
  readonly signed: SignedFields;
  readonly credit: KioskCredit;
  readonly reviewFlags: string | null;
  readonly source: 'sync' | 'receipt';
  readonly receiptRedeemedBy: string | null;
}

/**
 * How kiosk_deposits keeps a voucher's claim code: the keyed hash the claims table keeps (claimCodeHash),
 * never the code. The code is a bearer instrument, and the claims table keeps only its
 * hash so that a database leak redeems nothing; a clear copy beside it would undo that. The hash still
 * tells one code from another, so a deposit re-sent with another claim code, or a receipt signed over
 * another, still differs from the stored one. (A masked code would not: two codes can mask alike.)
 * Rows stored before hold `sha256:` and the unkeyed hash (migration 170); keyLegacyClaimHashes rewrites them
 * into this form when a server starts.
 */
export function storedClaimCode(secret: string, claimCode: string | null): string | null {
  // Whatever the kiosk sent (digits, by the schema) is hashed as the claims table hashes a code, whether
  // or not it parses as one: only a code that parses opens a claim, but none is kept in clear.
  return claimCode === null ? null : claimCodeHash(secret, claimCode);
}

/**
 * What kiosk_deposits.fields_json holds: the deposit as the kiosk synced it (items, timestamps, flags,
 * signature), as JSON, its claim code as storedClaimCode. A re-sent deposit is compared in this form,
 * and a conflict answers the kiosk with it.
 */
export function storedDepositJson(secret: string, deposit: KioskDeposit): string {
  return JSON.stringify({ ...deposit, claimCode: storedClaimCode(secret, deposit.claimCode) });
}

/**
 * What kiosk_deposits.signed_payload holds: the payload the receipt signature covers
 * (receiptSigningPayload), its claim code field as storedClaimCode. A receipt and a later sync of the
 * same deposit are compared in this form; the signature itself is checked over the receipt's own payload.
 */
export function storedSignedPayload(secret: string, terminalId: string, deposit: SignedFields): string {
  return receiptSigningPayload(terminalId, {
    ...deposit,
    claimCode: storedClaimCode(secret, deposit.claimCode),
  });
}

const kioskDepositColumns = [
  'deposit_id',
  'terminal_id',
  'sequence',
  'fields_json',
  'signed_payload',
  'total_minor',
  'currency',
  'credited_to',
  'in_review',
  'review_flags',
  'claim_code_masked',
  'source',
  'receipt_redeemed_by',
  'committed_at_ms',
  'synced_at_ms',
  'created_at_ms',
] as const;

function kioskDepositValues(secret: string, row: NewKioskDeposit, nowMs: number): SqlValue[] {
  const claim = row.signed.claimCode;
  return [
    row.depositId,
    row.terminalId,
    row.sequence,
    row.fieldsJson,
    storedSignedPayload(secret, row.terminalId, row.signed),
    row.signed.totalMinor,
    row.signed.currency,
    row.credit.creditedTo,
    row.credit.inReview || row.reviewFlags !== null ? 1 : 0,
    row.reviewFlags,
    claim === null ? null : maskCode(claim),
    row.source,
    row.receiptRedeemedBy,
    Date.parse(row.signed.committedAt),
    row.source === 'sync' ? nowMs : null,
    nowMs,
  ];
}

export async function insertKioskDeposit(
  tx: Tx,
  claimCodeSecret: string,
  row: NewKioskDeposit,
  nowMs: number,
): Promise<void> {
  await insertKioskDeposits(tx, claimCodeSecret, [row], nowMs);
}

/** Records many kiosk deposits at once (a sync batch's new deposits), in multi-row inserts. */
export async function insertKioskDeposits(
  tx: Tx,
  claimCodeSecret: string,
  rows: readonly NewKioskDeposit[],
  nowMs: number,
): Promise<void> {
  await insertRows(
    tx,
    'kiosk_deposits',
    kioskDepositColumns,
    rows.map((row) => kioskDepositValues(claimCodeSecret, row, nowMs)),
  );
}
