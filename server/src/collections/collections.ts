import type { CurrencyCode, UuidV7 } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { resolveAlert } from '../alerts/alerts.js';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import { ensureSystemAccount } from '../ledger/accounts.js';
import { createTransfers } from '../ledger/ledger.js';
import type { TransferInput } from '../ledger/transfer.js';
import type { Tx } from '../storage/db.js';
import type { TerminalRecord } from '../terminals/terminal-record.js';
import { lockTerminal } from '../terminals/terminal-record.js';
import { overShortTransfer } from './over-short.js';

export interface Collection {
  readonly collectionId: UuidV7;
  readonly terminalId: string;
  readonly currency: CurrencyCode;
  /**
   * What the bag should hold: what the ledger credited from it since the last collection, plus
   * `awaitingSyncMinor`. Below zero only when an earlier collection counted on deposits that never came.
   */
  readonly expectedMinor: number;
  readonly countedMinor: number;
  readonly overShortMinor: number;
  /**
   * The part of `expectedMinor` the kiosk reported as committed but the server had not received: cash
   * in the bag whose deposits sync later, booked as expected rather than as over (see recordCollection).
   */
  readonly awaitingSyncMinor: number;
  /** The unsynced total of the kiosk's last heartbeat before the collection; null if none was kept. */
  readonly unsyncedReportedMinor: number | null;
  /** When the server received that heartbeat (a kiosk offline since reports nothing newer). */
  readonly unsyncedReportedAtMs: number | null;
  readonly collectedAtMs: number;
  /** Who recorded the count (a staff id, or ops-token); null for collections recorded before this was kept. */
  readonly collectedBy: string | null;
  readonly bagLabel: string | null;
  /** The bank deposit that carried its cash to the bank; null while in transit. */
  readonly bankDepositId: string | null;
}

interface CollectionRow extends Record<string, unknown> {
  id: string;
  terminal_id: string;
  currency: CurrencyCode;
  expected_minor: number;
  counted_minor: number;
  over_short_minor: number;
  awaiting_sync_minor: number;
  unsynced_reported_minor: number | null;
  unsynced_reported_at_ms: number | null;
  collected_at_ms: number;
  collected_by: string | null;
  bag_label: string | null;
  bank_deposit_id: string | null;
}

const collectionColumns =
  'id, terminal_id, currency, expected_minor, counted_minor, over_short_minor, awaiting_sync_minor, unsynced_reported_minor, unsynced_reported_at_ms, collected_at_ms, collected_by, bag_label, bank_deposit_id';

function fromRow(row: CollectionRow): Collection {
  return {
    collectionId: row.id as UuidV7,
    terminalId: row.terminal_id,
    currency: row.currency,
    expectedMinor: row.expected_minor,
    countedMinor: row.counted_minor,
    overShortMinor: row.over_short_minor,
    awaitingSyncMinor: row.awaiting_sync_minor,
    unsyncedReportedMinor: row.unsynced_reported_minor,
    unsyncedReportedAtMs: row.unsynced_reported_at_ms,
    collectedAtMs: row.collected_at_ms,
    collectedBy: row.collected_by,
    bagLabel: row.bag_label,
    bankDepositId: row.bank_deposit_id,
  };
}

/**
 * The bag's balance by the ledger: cash in (deposits debit the bag) less cash out (each collection took
 * out what it expected; reversals credited it before kiosk reversals went to suspense). So it is what
 * entered since the last collection, less the cash of deposits a collection took out before they synced
 * (below zero until they do). A bag is never credited by a deposit, which the credit side's index leaves
 * out.
 */
async function bagBalance(tx: Tx, bagAccountId: string): Promise<number> {
  const row = await tx.get<{ debits: number | string | null; credits: number | string | null }>(
    `SELECT (SELECT SUM(amount_minor) FROM transfers WHERE debit_account_id = ?) AS debits,
            (SELECT SUM(amount_minor) FROM transfers WHERE credit_account_id = ? AND code <> 'deposit') AS credits`,
    [bagAccountId, bagAccountId],
  );
  return Number(row?.debits ?? 0) - Number(row?.credits ?? 0);
}

/**
 * What the kiosk's bag holds that the server has not received, by the kiosk's last heartbeat: its unsynced
 * total less what of those deposits the server has received since (a sync after the heartbeat, an offline
 * receipt redeemed, a sync whose answer the kiosk lost). The kiosk syncs its outbox oldest first and every
 * answer takes a deposit out of it, so the `queueDepth` unsynced deposits it reported are the sequence
 * numbers just below and at its reported last sequence; that range is what is summed, through the
 * (terminal, sequence) index, never the terminal's whole history. Deposits the kiosk took after that
 * heartbeat are unknown here (the console warns when a kiosk is offline).
 */
async function unsyncedInBag(tx: Tx, terminal: TerminalRecord): Promise<number> {
  if (terminal.lastHeartbeatAtMs === null || terminal.queueDepth === 0 || terminal.unsyncedTotalMinor === 0)
    return 0;
  const row = await tx.get<{ total: number | string | null }>(
    `SELECT SUM(total_minor) AS total FROM kiosk_deposits
      WHERE terminal_id = ? AND sequence > ? AND sequence <= ?`,
    [terminal.id, terminal.reportedLastSequence - terminal.queueDepth, terminal.reportedLastSequence],
  );
  return Math.max(0, terminal.unsyncedTotalMinor - Number(row?.total ?? 0));
}

/**
 * A bag label with its ASCII letters in capitals: what two labels must agree on to name one bag. Only
 * ASCII, since SQLite's UPPER folds nothing else and PostgreSQL's upper() folds by locale; seal labels are
 * letters, digits and dashes.
 */
export function foldBagLabel(label: string): string {
  return label.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/** `bag_label` folded as foldBagLabel folds, compared with one parameter. */
function sameBagLabelSql(dialect: Tx['dialect']): string {
  return dialect === 'postgres'
    ? "translate(bag_label, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') = ?"
    : 'UPPER(bag_label) = ?';
}

/**
 * A tech empties a kiosk's bag and records the counted amount. In one transaction, holding the terminal
 * row (so no sync of that terminal lands half before and half after): the expected amount moves bag ->
 * cash in transit, and the difference counted - expected is booked against over/short (cash over: debit
 * cash in transit, credit over/short; cash short: the reverse), so cash in transit ends equal to what was
 * counted. The collection id is the tech's, so a retry records nothing twice. The collection is audited
 * on the terminal's chain with who recorded it.
 *
 * Expected is the bag's ledger balance plus the cash of deposits the kiosk reported but has not synced
 * (unsyncedInBag): that cash is in the bag, and counting it as over now would turn into a false short at
 * the next collection, once those deposits debit the bag. So it is expected and taken out of the bag too,
 * leaving the bag's balance that much below zero until those deposits arrive: their sync (or redeemed
 * receipts) debits the bag back to zero, and neither collection shows a difference. Should they never
 * arrive, the next collection expects that much less and shows it as over then.
 */
export async function recordCollection(
  deps: Deps,
  input: {
    collectionId: UuidV7;
    terminalId: string;
    countedMinor: number;
    currency: CurrencyCode;
    bagLabel?: string | undefined;
  },
  by: string,
): Promise<Collection> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    // The answer already given for this id, if any: a retry gets it back, a different reuse a conflict.
    const priorAnswer = async (): Promise<Collection | undefined> => {
      const prior = await tx.get<CollectionRow>(`SELECT ${collectionColumns} FROM collections WHERE id = ?`, [
        input.collectionId,
      ]);
      if (prior === undefined) return undefined;
      const same =
        prior.terminal_id === input.terminalId &&
        prior.counted_minor === input.countedMinor &&
        prior.currency === input.currency;
      if (!same) throw new CodedError('IDEMPOTENCY_CONFLICT', { collectionId: input.collectionId });
      return fromRow(prior);
    };
    const prior = await priorAnswer();
    if (prior !== undefined) return prior;
    const terminal = await lockTerminal(tx, input.terminalId);
    if (terminal === undefined) throw new CodedError('NOT_FOUND', { field: 'terminalId' });
    // Asked again while holding the terminal: on PostgreSQL a retry racing its first send waited here for
    // the first to commit, and READ COMMITTED now shows its row (as recordBankDeposit does).
    const recorded = await priorAnswer();
    if (recorded !== undefined) return recorded;
    if (terminal.currency !== input.currency) throw new CodedError('CURRENCY_MISMATCH');
    // A bag is emptied once: the same label on the same terminal under a new id is the same bag entered
    // twice (a form resent, a second tech), which would expect nothing, book its whole count as over and
    // double the cash in transit. Checked under the terminal lock, so two such sends cannot both pass.
    // Seal labels are printed in capitals and typed either way ("b-0042" is bag B-0042): compared with
    // ASCII letters folded, the same way on both databases (sameBagLabelSql).
    if (input.bagLabel !== undefined) {
      const sameBag = await tx.get<{ id: string }>(
        `SELECT id FROM collections WHERE terminal_id = ? AND ${sameBagLabelSql(tx.dialect)}`,
        [terminal.id, foldBagLabel(input.bagLabel)],
      );
      if (sameBag !== undefined)
        throw new CodedError('BAG_ALREADY_COLLECTED', {
          terminalId: terminal.id,
          bagLabel: input.bagLabel,
          collectionId: sameBag.id,
        });
    }
    const awaitingSyncMinor = await unsyncedInBag(tx, terminal);
    const expectedMinor = (await bagBalance(tx, terminal.bagAccountId)) + awaitingSyncMinor;
    const unsyncedReportedMinor = terminal.lastHeartbeatAtMs === null ? null : terminal.unsyncedTotalMinor;
    const overShortMinor = input.countedMinor - expectedMinor;
    const account = (kind: 'cashInTransit' | 'overShort') =>
      ensureSystemAccount(tx, kind, input.currency, deps.newId, nowMs);
    const inTransit = await account('cashInTransit');
    const transfers: TransferInput[] = [];
    // Below zero (an earlier collection counted on deposits that never came), the bag is brought back to
    // zero the other way, so cash in transit still ends at what was counted.
    if (expectedMinor !== 0) {
      const out = expectedMinor > 0;
      transfers.push({
        id: input.collectionId,
        debitAccountId: out ? inTransit : terminal.bagAccountId,
        creditAccountId: out ? terminal.bagAccountId : inTransit,
        amountMinor: Math.abs(expectedMinor),
        currency: input.currency,
        code: 'adjustment',
        reason: `collection of ${terminal.id}`,
      });
    }
    let overShortTransferId: string | null = null;
    if (overShortMinor !== 0) {
      overShortTransferId = deps.newId();
      transfers.push(
        overShortTransfer({
          id: overShortTransferId,
          assetAccountId: inTransit,
          overShortAccountId: await account('overShort'),
          differenceMinor: overShortMinor,
          currency: input.currency,
          reason: `collection ${input.collectionId}: counted ${input.countedMinor}, expected ${expectedMinor}`,
        }),
      );
    }
    if (transfers.length > 0) {
      const results = await createTransfers(tx, transfers, nowMs);
      if (results.some((result) => result !== 'created'))
        throw new Error(`a collection transfer failed: ${results.join(', ')}`);
    }
    await tx.run(
      `INSERT INTO collections (id, terminal_id, currency, expected_minor, counted_minor, over_short_minor,
         over_short_transfer_id, awaiting_sync_minor, unsynced_reported_minor, unsynced_reported_at_ms,
         bag_label, collected_at_ms, collected_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        input.collectionId,
        terminal.id,
        input.currency,
        expectedMinor,
        input.countedMinor,
        overShortMinor,
        overShortTransferId,
        awaitingSyncMinor,
        unsyncedReportedMinor,
        terminal.lastHeartbeatAtMs,
        input.bagLabel ?? null,
        nowMs,
        by,
      ],
    );
    // The alert row before the audit head, the order an operator closing that alert by hand takes them in
    // (alerts.ts), so the two never wait on each other (PostgreSQL).
    await resolveAlert(tx, terminal.id, 'bagNearlyFull', nowMs);
    await appendAudit(
      tx,
      {
        kind: 'collection.recorded',
        subject: terminal.id,
        data: {
          collectionId: input.collectionId,
          currency: input.currency,
          expectedMinor,
          countedMinor: input.countedMinor,
          overShortMinor,
          awaitingSyncMinor,
          unsyncedReportedMinor,
          unsyncedReportedAtMs: terminal.lastHeartbeatAtMs,
          bagLabel: input.bagLabel ?? null,
          by,
        },
      },
      nowMs,
    );
    return {
      collectionId: input.collectionId,
      terminalId: terminal.id,
      currency: input.currency,
      expectedMinor,
      countedMinor: input.countedMinor,
      overShortMinor,
      awaitingSyncMinor,
      unsyncedReportedMinor,
      unsyncedReportedAtMs: terminal.lastHeartbeatAtMs,
      collectedAtMs: nowMs,
      collectedBy: by,
      bagLabel: input.bagLabel ?? null,
      bankDepositId: null,
    };
  });
}

/** The most collections one listing returns. */
export const collectionsListedMax = 500;

/**
 * Recent collections, newest first; or, `inTransit`, those whose cash has not reached the bank yet, oldest
 * first, so a bag forgotten in transit is at the top however many came after it.
 */
export async function listCollections(deps: Deps, options: { inTransit: boolean }): Promise<Collection[]> {
  const rows = await deps.db.transaction((tx) =>
    tx.all<CollectionRow>(
      options.inTransit
        ? `SELECT ${collectionColumns} FROM collections WHERE bank_deposit_id IS NULL
            ORDER BY collected_at_ms, id LIMIT ${collectionsListedMax}`
        : `SELECT ${collectionColumns} FROM collections
            ORDER BY collected_at_ms DESC, id DESC LIMIT ${collectionsListedMax}`,
    ),
  );
  return rows.map(fromRow);
}
