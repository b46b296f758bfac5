import type { Code, CurrencyCode, DepositItem, KioskDeposit, Language, UuidV7 } from '@cashin/shared';
import { KioskDepositSchema, addMinor, multiplyMinor } from '@cashin/shared';
import type { CounterRegisters } from '../devices/counter/counter-registers.js';
import { counterRegistersFromJson, counterRegistersToJson } from './counter-registers-json.js';
import type { JournalDatabase } from './database.js';
import { openJournalDatabase } from './database.js';
import type { CreditEntry, JournalEntry, LostEventsEntry, OpenDepositRecord } from './journal-entry.js';
import { isLostEventsEntry } from './journal-entry.js';
import type { OutboxState } from './outbox.js';
import { Outbox } from './outbox.js';
import type { TerminalRefusalCode } from '../deposit/terminal-refusal.js';
import { terminalRefusalCodes } from '../deposit/terminal-refusal.js';
import { Bag } from './bag.js';
import type { ReceiptSigner } from '../receipt/receipt-signature.js';
import type { ReturnedPieces } from '../receipt/returned-pieces.js';

export interface JournalOptions {
  /** Signs offline deposits and vouchers inside the commit's transaction. */
  signReceipt: ReceiptSigner;
  /** The most deposits one outbox batch may hold (SystemLimits.syncBatchDepositsMax). */
  syncBatchDepositsMax: number;
}

/** A committed deposit with what its receipt needs beyond the synced record. */
export interface StoredDeposit {
  deposit: KioskDeposit;
  language: Language;
  maskedName: string | null;
  balanceMinor: number | null;
  /** What came back uncounted, coins and bills apart, for the receipt (see returnedPieces). */
  returned: ReturnedPieces;
  /** Money (or an alarm) that arrived with no deposit open: nobody's receipt, so never reprinted. */
  stray: boolean;
  /** The printer said its receipt came out (see markReceiptPrinted). */
  receiptPrinted: boolean;
}

/** A committed shopper's deposit as the maintenance screen lists it, newest first. */
export interface RecentDeposit {
  deposit: KioskDeposit;
  /** Where it stands with the server (see Outbox): waiting, acknowledged, or set aside after a conflict. */
  outbox: OutboxState;
  /** The printer said its receipt came out (see markReceiptPrinted). */
  receiptPrinted: boolean;
}

/** A device event the drivers reported at start-up, before any deposit could open (see `recover`). */
export interface LateEntry {
  entry: JournalEntry;
  /** The device's event counter right after it, when the device has one. */
  eventCounter: number | undefined;
  /** The bulk counter's registers right after it, when the device is one. */
  counterRegisters?: CounterRegisters | undefined;
}

export interface RecoveryReport {
  /**
   * Open deposits with money in them, or with lost events (which may have been money), now committed with
   * flags.recovered.
   */
  recovered: KioskDeposit[];
  /** Open deposits with no money and no lost events, closed as abandoned. */
  abandoned: UuidV7[];
  /** Late money that found no open deposit, each committed as a stray deposit for suspense. */
  strays: KioskDeposit[];
  /** Late lost events or resets that found no open deposit, each committed as an alarm deposit (commitAlarm). */
  alarms: Array<{ deposit: KioskDeposit; entry: LostEventsEntry }>;
}

/**
 * What a stray needs to become a deposit of its own, chosen by the caller (ids and randomness are injected,
 * never drawn here). `language` is the receipt language a reprint would use.
 */
export interface StrayDepositIds {
  depositId: UuidV7;
  claimCode: Code;
  language: Language;
}

/**
 * For a stray credit found at recovery: the ids of the deposit it becomes, or null to keep it a bare stray
 * (money of another currency, which the terminal's server account cannot take).
 */
export type StrayDepositPolicy = (entry: CreditEntry) => StrayDepositIds | null;

/** What an alarm deposit needs (see commitAlarm): a stray's ids and the terminal's currency, as it has no coin. */
export interface AlarmDepositIds extends StrayDepositIds {
  currency: CurrencyCode;
}

/**
 * For late lost events or a reset found at recovery with no deposit open: the ids of the alarm deposit it
 * becomes, or null to keep it only as a bare stray alarm in the journal (what a caller giving no policy
 * gets; the runner always gives one).
 */
export type AlarmDepositPolicy = (entry: LostEventsEntry) => AlarmDepositIds | null;

interface DepositRow {
  deposit_id: string;
  status: 'open' | 'committed' | 'abandoned';
  code: string | null;
  claim_code: string | null;
  currency: string;
  started_at_ms: number;
  offline: number;
  language: string;
  masked_name: string | null;
  balance_minor: number | null;
  recovered: number;
  stray: number;
  receipt_printed_at_ms: number | null;
}

interface ItemRow {
  kind: 'coin' | 'bill';
  cc_talk_id: string;
  value_minor: number;
  count: number;
}

/** Items are listed smallest first, coins before bills, as a receipt reads best. */
const itemsSql = `
  SELECT kind, cc_talk_id, value_minor, SUM(count) AS count
  FROM deposit_events WHERE deposit_id = ? AND type = 'credit'
  GROUP BY kind, cc_talk_id, value_minor
  ORDER BY kind DESC, value_minor, cc_talk_id`;

function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The kiosk's journal: the one durable record of every deposit. Written only by the deposit runner (and
 * the sync engine through `outbox`), owned by the agent alone. Each method is one SQLite transaction.
 *
 * The money in a deposit is never kept as a running figure: items and total are derived from the journaled
 * credit events at commit, so what was committed is exactly what was journaled, by construction.
 */
export class Journal {
  readonly outbox: Outbox;
  readonly bag: Bag;
  private readonly db: JournalDatabase;
  private readonly signReceipt: ReceiptSigner;
  private readonly statements;

  private constructor(db: JournalDatabase, options: JournalOptions) {
    this.db = db;
    this.signReceipt = options.signReceipt;
    this.outbox = new Outbox(db, options.syncBatchDepositsMax);
    this.bag = new Bag(db);
    this.statements = {
      open: db.prepare(`
        INSERT INTO deposits (deposit_id, status, code, claim_code, currency, started_at_ms, max_minor, offline,
          language, masked_name, balance_minor)
        VALUES (@depositId, 'open', @code, @claimCode, @currency, @startedAtMs, @maxMinor, @offline,
          @language, @maskedName, @balanceMinor)`),
      openStray: db.prepare(`
        INSERT INTO deposits (deposit_id, status, code, claim_code, currency, started_at_ms, max_minor, offline,
          language, masked_name, balance_minor, stray)
        VALUES (@depositId, 'open', NULL, @claimCode, @currency, @atMs, @amountMinor, 0, @language, NULL, NULL, 1)`),
      append: db.prepare(`
        INSERT INTO deposit_events (deposit_id, type, device, kind, cc_talk_id, currency, value_minor, count,
          detail, at_ms)
        VALUES (@depositId, @type, @device, @kind, @ccTalkId, @currency, @valueMinor, @count, @detail, @atMs)`),
      depositRow: db.prepare<[string], DepositRow>('SELECT * FROM deposits WHERE deposit_id = ?'),
      items: db.prepare<[string], ItemRow>(itemsSql),
      rejected: db.prepare<[string], { n: number }>(
        `SELECT COALESCE(SUM(count), 0) AS n FROM deposit_events WHERE deposit_id = ? AND type = 'reject'`,
      ),
      // A reject's kind is NULL in rows journaled before it was kept: those are counted as unsorted.
      rejectedByKind: db.prepare<[string], { kind: 'coin' | 'bill' | null; n: number }>(
        `SELECT kind, SUM(count) AS n FROM deposit_events WHERE deposit_id = ? AND type = 'reject'
         GROUP BY kind`,
      ),
      hasType: db.prepare<[string, string, string], { n: number }>(
        `SELECT COUNT(*) AS n FROM deposit_events WHERE deposit_id = ? AND type IN (?, ?)`,
      ),
      // After the kiosk's own last number and the server's high at enrollment (migration 4), whichever is
      // larger: a fresh journal of a replaced kiosk numbers on after its predecessor's synced deposits.
      nextSequence: db.prepare<[], { value: number }>(
        `UPDATE counters
         SET value = MAX(value, (SELECT value FROM counters WHERE name = 'serverSequenceHigh')) + 1
         WHERE name = 'depositSequence' RETURNING value`,
      ),
      markCommitted: db.prepare(`
        UPDATE deposits SET status = 'committed', sequence = @sequence, total_minor = @totalMinor,
          committed_at_ms = @committedAtMs, closed_at_ms = @committedAtMs, recovered = @recovered,
          receipt_signature = @receiptSignature
        WHERE deposit_id = @depositId AND status = 'open'`),
      insertOutbox: db.prepare(`
        INSERT INTO outbox (sequence, deposit_id, payload, currency, total_minor, committed_at_ms, status)
        VALUES (@sequence, @depositId, @payload, @currency, @totalMinor, @committedAtMs, 'pending')`),
      abandon: db.prepare(`
        UPDATE deposits SET status = 'abandoned', closed_at_ms = ? WHERE deposit_id = ? AND status = 'open'`),
      creditCount: db.prepare<[string], { n: number }>(
        `SELECT COUNT(*) AS n FROM deposit_events WHERE deposit_id = ? AND type = 'credit'`,
      ),
      // Credits, lost events, resets, and a money device's fault or disconnection (what it held then is
      // unknown): a deposit with any of them may hold money and is never abandoned.
      mayHoldMoney: db.prepare<[string], { n: number }>(
        `SELECT COUNT(*) AS n FROM deposit_events
         WHERE deposit_id = ? AND type IN ('credit', 'lostEvents', 'reset', 'fault', 'disconnected')`,
      ),
      openIds: db.prepare<[], { deposit_id: string }>(
        `SELECT deposit_id FROM deposits WHERE status = 'open' ORDER BY started_at_ms, deposit_id`,
      ),
      payload: db.prepare<[string], { payload: string }>('SELECT payload FROM outbox WHERE deposit_id = ?'),
      recent: db.prepare<[number], { payload: string; status: OutboxState; printed: number }>(
        `SELECT o.payload, o.status, d.receipt_printed_at_ms IS NOT NULL AS printed
         FROM outbox o JOIN deposits d USING (deposit_id)
         WHERE d.stray = 0 ORDER BY o.sequence DESC LIMIT ?`,
      ),
      refusal: db.prepare<[], { code: string; at_ms: number }>('SELECT code, at_ms FROM terminal_refusal'),
      refuse: db.prepare(`
        INSERT INTO terminal_refusal (id, code, at_ms) VALUES (1, ?, ?)
        ON CONFLICT (id) DO UPDATE SET code = excluded.code, at_ms = excluded.at_ms`),
      unrefuse: db.prepare('DELETE FROM terminal_refusal'),
      markPrinted: db.prepare(`
        UPDATE deposits SET receipt_printed_at_ms = ?
        WHERE deposit_id = ? AND status = 'committed' AND receipt_printed_at_ms IS NULL`),
      // A voucher's claim code or an offline deposit's signed QR that is on paper nowhere (migration 6).
      // The conditions repeat the partial index's, so it is used.
      unprinted: db.prepare<[number], { payload: string; status: OutboxState }>(
        `SELECT o.payload, o.status FROM deposits d JOIN outbox o USING (deposit_id)
         WHERE d.status = 'committed' AND d.stray = 0 AND d.receipt_printed_at_ms IS NULL
           AND (d.claim_code IS NOT NULL OR d.offline = 1)
         ORDER BY d.sequence LIMIT ?`,
      ),
      // A stray deposit is nobody's receipt: "reprint last receipt" must never hand out its claim code.
      lastCommittedId: db.prepare<[], { deposit_id: string }>(
        `SELECT o.deposit_id FROM outbox o JOIN deposits d USING (deposit_id)
         WHERE d.stray = 0 ORDER BY o.sequence DESC LIMIT 1`,
      ),
      committedAfter: db.prepare<[number, number], { payload: string }>(
        `SELECT payload FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?`,
      ),
      setEventCounter: db.prepare(`
        INSERT INTO event_counters (device, counter, at_ms) VALUES (?, ?, ?)
        ON CONFLICT (device) DO UPDATE SET counter = excluded.counter, at_ms = excluded.at_ms`),
      newEventCounter: db.prepare(`
        INSERT INTO event_counters (device, counter, serial, at_ms) VALUES (?, ?, ?, ?)
        ON CONFLICT (device) DO UPDATE
        SET counter = excluded.counter, serial = excluded.serial, at_ms = excluded.at_ms`),
      eventCounters: db.prepare<[], { device: string; counter: number; serial: string | null }>(
        'SELECT device, counter, serial FROM event_counters ORDER BY device',
      ),
      setCounterRegisters: db.prepare(`
        INSERT INTO counter_registers (device, registers_json, at_ms) VALUES (?, ?, ?)
        ON CONFLICT (device) DO UPDATE SET registers_json = excluded.registers_json, at_ms = excluded.at_ms`),
      counterRegisters: db.prepare<[], { device: string; registers_json: string; at_ms: number }>(
        'SELECT device, registers_json, at_ms FROM counter_registers ORDER BY device',
      ),
      strayCredits: db.prepare<[], { total: number; n: number }>(
        `SELECT COALESCE(SUM(value_minor * count), 0) AS total, COUNT(*) AS n
         FROM deposit_events WHERE deposit_id IS NULL AND type = 'credit'`,
      ),
      // Alarm deposits (stray = 1, no money) are not stray money.
      strayDeposits: db.prepare<[], { total: number; n: number }>(
        `SELECT COALESCE(SUM(total_minor), 0) AS total, COUNT(*) AS n
         FROM deposits WHERE stray = 1 AND status = 'committed' AND total_minor > 0`,
      ),
    };
  }

  static open(path: string, options: JournalOptions): Journal {
    return new Journal(openJournalDatabase(path), options);
  }

  close(): void {
    this.db.close();
  }

  /** Records a deposit as open, with the id sync will use, before the acceptors are enabled. */
  openDeposit(record: OpenDepositRecord): void {
    this.statements.open.run({
      depositId: record.depositId,
      code: record.code,
      claimCode: record.claimCode,
      currency: record.currency,
      startedAtMs: record.startedAtMs,
      maxMinor: record.maxMinor,
      offline: record.offline ? 1 : 0,
      language: record.language,
      maskedName: record.maskedName,
      balanceMinor: record.balanceMinor,
    });
  }

  /**
   * Appends one device event, to an open deposit or (depositId null) as a stray. Returns its event id.
   * Appending to a deposit that is not open is a programmer error: its money would be in neither the
   * committed total nor the strays. `eventCounter` or `counterRegisters`, when the device stamped them,
   * are kept in the same transaction as the device's baseline for the next start.
   */
  append(
    depositId: UuidV7 | null,
    entry: JournalEntry,
    atMs: number,
    eventCounter?: number,
    counterRegisters?: CounterRegisters,
  ): number {
    return this.db.transaction(() =>
      this.appendInTransaction(depositId, entry, atMs, eventCounter, counterRegisters),
    )();
  }

  /**
   * Money that arrived with no deposit open, in the terminal's currency, becomes a deposit of its own and is
   * committed at once: no code, a claim code nobody was handed, so the server puts it in suspense (cash
   * taken is never dropped, and ops can move it to whoever it belongs to). The event, the deposit and its
   * outbox row are one transaction, so the money is never a stray on disk and a deposit in the queue at
   * once. A stray is never added to a deposit that already committed: that record may be synced already.
   */
  commitStray(
    entry: CreditEntry,
    atMs: number,
    ids: StrayDepositIds,
    eventCounter?: number,
    counterRegisters?: CounterRegisters,
  ): KioskDeposit {
    return this.db.transaction(() =>
      this.commitStrayInTransaction(entry, atMs, ids, eventCounter, counterRegisters),
    )();
  }

  /**
   * Lost events or a reset with no deposit open (the kiosk idle, or a receipt printing): nothing was
   * counted, but what the device did not report may have been money, and ops must hear of it. It becomes a
   * deposit of its own, committed at once like a stray (no shopper, a claim code nobody holds) with no
   * items, a zero total and flags.lostEvents: synced, it raises the server's lost-events alert, and it is
   * the record a shopper's complaint can be matched against. The event, the deposit and its outbox row are
   * one transaction.
   */
  commitAlarm(
    entry: LostEventsEntry,
    atMs: number,
    ids: AlarmDepositIds,
    eventCounter?: number,
    counterRegisters?: CounterRegisters,
  ): KioskDeposit {
    return this.db.transaction(() =>
      this.commitAlarmInTransaction(entry, atMs, ids, eventCounter, counterRegisters),
    )();
  }

  private commitAlarmInTransaction(
    entry: LostEventsEntry,
    atMs: number,
    ids: AlarmDepositIds,
    eventCounter: number | undefined,
    counterRegisters: CounterRegisters | undefined,
  ): KioskDeposit {
    this.statements.openStray.run({
      depositId: ids.depositId,
      claimCode: ids.claimCode,
      currency: ids.currency,
      atMs,
      amountMinor: 0,
      language: ids.language,
    });
    this.appendInTransaction(ids.depositId, entry, atMs, eventCounter, counterRegisters);
    return this.commitInTransaction(ids.depositId, atMs, false);
  }

  private commitStrayInTransaction(
    entry: CreditEntry,
    atMs: number,
    ids: StrayDepositIds,
    eventCounter: number | undefined,
    counterRegisters: CounterRegisters | undefined,
  ): KioskDeposit {
    this.statements.openStray.run({
      depositId: ids.depositId,
      claimCode: ids.claimCode,
      currency: entry.currency,
      atMs,
      amountMinor: multiplyMinor(entry.valueMinor, entry.count),
      language: ids.language,
    });
    this.appendInTransaction(ids.depositId, entry, atMs, eventCounter, counterRegisters);
    return this.commitInTransaction(ids.depositId, atMs, false);
  }

  /**
   * Keeps a device's event counter after an event that wrote nothing (a bill in escrow, a fault), so the
   * next start does not report it again.
   */
  noteEventCounter(device: string, eventCounter: number, atMs: number): void {
    this.statements.setEventCounter.run(device, eventCounter, atMs);
  }

  /**
   * Takes a device's counter afresh: a device the journal did not know, or another physical device (its
   * serial differs) under the same name. Its later events then move the counter on.
   */
  resetEventCounter(device: string, eventCounter: number, serial: string | null, atMs: number): void {
    this.statements.newEventCounter.run(device, eventCounter, serial, atMs);
  }

  /** Each acceptor's event counter after the last event journaled for it, and whose it is, by device name. */
  eventCounters(): Map<string, { counter: number; serial: string | null }> {
    return new Map(
      this.statements.eventCounters
        .all()
        .map((row) => [row.device, { counter: row.counter, serial: row.serial }]),
    );
  }

  /**
   * Keeps a bulk counter's registers after an event that wrote nothing (a reject with no deposit open), so
   * the next start does not report it again.
   */
  noteCounterRegisters(device: string, registers: CounterRegisters, atMs: number): void {
    this.statements.setCounterRegisters.run(device, counterRegistersToJson(registers), atMs);
  }

  /**
   * Takes a bulk counter's registers afresh: a counter the journal did not know, or whose journaled
   * registers were not its own (another register table). Its later events then move them on.
   */
  resetCounterRegisters(device: string, registers: CounterRegisters, atMs: number): void {
    this.statements.setCounterRegisters.run(device, counterRegistersToJson(registers), atMs);
  }

  /**
   * Each bulk counter's registers after the last event journaled for it, by device name. A row that does
   * not parse reads as registers of no counter (see counterRegistersFromJson): the driver then holds what
   * was counted meanwhile for review rather than dropping it.
   */
  counterRegisters(): Map<string, CounterRegisters> {
    return new Map(
      this.statements.counterRegisters
        .all()
        .map((row) => [row.device, counterRegistersFromJson(row.registers_json, row.at_ms)]),
    );
  }

  private appendInTransaction(
    depositId: UuidV7 | null,
    entry: JournalEntry,
    atMs: number,
    eventCounter: number | undefined,
    counterRegisters: CounterRegisters | undefined,
  ): number {
    if (depositId !== null) {
      const row = this.statements.depositRow.get(depositId);
      if (row?.status !== 'open') throw new Error(`journal: deposit ${depositId} is not open`);
    }
    const credit = entry.type === 'credit' ? entry : null;
    const result = this.statements.append.run({
      depositId,
      type: entry.type,
      device: entry.device,
      kind: credit?.kind ?? (entry.type === 'reject' ? entry.kind : null),
      ccTalkId: credit?.ccTalkId ?? null,
      currency: credit?.currency ?? null,
      valueMinor: credit?.valueMinor ?? (entry.type === 'reject' ? entry.valueMinor : null),
      count: 'count' in entry ? entry.count : null,
      detail:
        entry.type === 'fault' ? `${entry.fault}${entry.detail === null ? '' : `: ${entry.detail}`}` : null,
      atMs,
    });
    if (eventCounter !== undefined) this.statements.setEventCounter.run(entry.device, eventCounter, atMs);
    if (counterRegisters !== undefined) {
      this.statements.setCounterRegisters.run(entry.device, counterRegistersToJson(counterRegisters), atMs);
    }
    return Number(result.lastInsertRowid);
  }

  /**
   * Closes an open deposit that took no money (the shopper walked away or cancelled). One with lost events,
   * or with a money device's fault or disconnection, is refused like one with money: what the device did not
   * report (coins in its buffer, a bill jammed while being stacked) may have been money, so the deposit must
   * be committed with the shopper's code and reach review, not vanish.
   */
  abandon(depositId: UuidV7, atMs: number): void {
    this.db.transaction(() => {
      if (this.statements.creditCount.get(depositId)!.n > 0) {
        throw new Error(`journal: deposit ${depositId} has money and cannot be abandoned`);
      }
      if (this.statements.mayHoldMoney.get(depositId)!.n > 0) {
        throw new Error(`journal: deposit ${depositId} may hold unreported money and cannot be abandoned`);
      }
      if (this.statements.abandon.run(atMs, depositId).changes !== 1) {
        throw new Error(`journal: deposit ${depositId} is not open`);
      }
    })();
  }

  /**
   * Commits an open deposit and queues it for sync, in one transaction: derives items and total from its
   * credit events, takes the next sequence number (see nextSequence), signs the receipt payload when it
   * needs signing, and writes the outbox row. Either all of it is on disk or none of it is.
   */
  commit(depositId: UuidV7, committedAtMs: number, options: { recovered?: boolean } = {}): KioskDeposit {
    return this.db.transaction(() =>
      this.commitInTransaction(depositId, committedAtMs, options.recovered ?? false),
    )();
  }

  private commitInTransaction(depositId: UuidV7, committedAtMs: number, recovered: boolean): KioskDeposit {
    const row = this.statements.depositRow.get(depositId);
    if (row?.status !== 'open') throw new Error(`journal: deposit ${depositId} is not open`);
    const items: DepositItem[] = this.statements.items.all(depositId).map((item) => ({
      kind: item.kind,
      ccTalkId: item.cc_talk_id,
      valueMinor: item.value_minor,
      count: item.count,
    }));
    const totalMinor = items.reduce(
      (sum, item) => addMinor(sum, multiplyMinor(item.valueMinor, item.count)),
      0,
    );
    const lostEvents = this.statements.hasType.get(depositId, 'lostEvents', 'reset')!.n > 0;
    const deviceFault = this.statements.hasType.get(depositId, 'fault', 'disconnected')!.n > 0;
    // A deposit with no counted money is committed only when a device lost events, faulted or went away
    // during it: that may have been money, so the record (flagged, and so held for review and alerted on by
    // the server) is the shopper's claim and ops' alarm. With none of them it is abandoned instead;
    // committing it is a bug.
    if (totalMinor === 0 && !lostEvents && !deviceFault)
      throw new Error(`journal: deposit ${depositId} has no money to commit`);
    const sequence = this.statements.nextSequence.get()!.value;
    const unsigned = KioskDepositSchema.parse({
      depositId,
      sequence,
      code: row.code,
      claimCode: row.claim_code,
      currency: row.currency as CurrencyCode,
      items,
      rejectedCount: this.statements.rejected.get(depositId)!.n,
      totalMinor,
      startedAt: isoOf(row.started_at_ms),
      committedAt: isoOf(committedAtMs),
      flags: {
        recovered,
        lostEvents,
        offline: row.offline === 1,
        deviceFault,
      },
      receiptSignature: null,
    });
    const deposit: KioskDeposit = { ...unsigned, receiptSignature: this.signReceipt(unsigned) };
    this.statements.markCommitted.run({
      depositId,
      sequence,
      totalMinor,
      committedAtMs,
      recovered: recovered ? 1 : 0,
      receiptSignature: deposit.receiptSignature,
    });
    this.statements.insertOutbox.run({
      sequence,
      depositId,
      payload: JSON.stringify(deposit),
      currency: deposit.currency,
      totalMinor,
      committedAtMs,
    });
    return deposit;
  }

  /**
   * Start-up recovery: an open deposit left by a crash or power loss is committed as recovered when it
   * holds money or lost events (cash taken is never dropped, and cash maybe taken is never forgotten), or
   * closed as abandoned when it holds neither. One transaction for all of them, so a crash during recovery
   * leaves them all open for the next start.
   *
   * `late` are the events the acceptors still held from before the crash, and the coins the bulk counter
   * counted while the agent was down (each reported at start from its journaled baseline): they happened
   * while the newest open deposit was open, so they join it before it
   * is committed; with no deposit open, money among them becomes a stray deposit when `strayIds` gives it
   * ids (see commitStray), and lost events or a reset an alarm deposit when `alarmIds` does (see
   * commitAlarm), else a bare stray. Their event counters and counter registers are kept in the same
   * transaction.
   */
  recover(
    nowMs: number,
    late: readonly LateEntry[] = [],
    strayIds: StrayDepositPolicy = () => null,
    alarmIds: AlarmDepositPolicy = () => null,
  ): RecoveryReport {
    return this.db.transaction((): RecoveryReport => {
      const report: RecoveryReport = { recovered: [], abandoned: [], strays: [], alarms: [] };
      const open = this.statements.openIds.all();
      const receiving = (open.at(-1)?.deposit_id ?? null) as UuidV7 | null;
      for (const { entry, eventCounter, counterRegisters } of late) {
        if (receiving === null && entry.type === 'credit') {
          const ids = strayIds(entry);
          if (ids !== null) {
            report.strays.push(
              this.commitStrayInTransaction(entry, nowMs, ids, eventCounter, counterRegisters),
            );
            continue;
          }
        }
        if (receiving === null && isLostEventsEntry(entry)) {
          const ids = alarmIds(entry);
          if (ids !== null) {
            const deposit = this.commitAlarmInTransaction(entry, nowMs, ids, eventCounter, counterRegisters);
            report.alarms.push({ deposit, entry });
            continue;
          }
        }
        this.appendInTransaction(receiving, entry, nowMs, eventCounter, counterRegisters);
      }
      for (const { deposit_id } of open) {
        const id = deposit_id as UuidV7;
        if (this.statements.mayHoldMoney.get(id)!.n > 0) {
          report.recovered.push(this.commitInTransaction(id, nowMs, true));
        } else {
          this.statements.abandon.run(nowMs, id);
          report.abandoned.push(id);
        }
      }
      return report;
    })();
  }

  /** Deposits still open (normally none, or the one in progress). */
  openDepositIds(): UuidV7[] {
    return this.statements.openIds.all().map((row) => row.deposit_id as UuidV7);
  }

  /** A committed deposit with its receipt details, for reprints; undefined when not committed. */
  storedDeposit(depositId: string): StoredDeposit | undefined {
    const payload = this.statements.payload.get(depositId);
    const row = this.statements.depositRow.get(depositId);
    if (!payload || !row) return undefined;
    return {
      deposit: KioskDepositSchema.parse(JSON.parse(payload.payload)),
      language: row.language as Language,
      maskedName: row.masked_name,
      balanceMinor: row.balance_minor,
      returned: this.returnedPieces(depositId),
      stray: row.stray === 1,
      receiptPrinted: row.receipt_printed_at_ms !== null,
    };
  }

  /**
   * What a deposit's acceptors handed back uncounted, coins and bills apart, from its journaled rejects:
   * they add up to the synced record's rejectedCount, which counts the same rows. A reject journaled before
   * the journal kept its kind is unsorted (see ReturnedPieces).
   */
  returnedPieces(depositId: string): ReturnedPieces {
    const returned: ReturnedPieces = { coinCount: 0, billCount: 0, unsortedCount: 0 };
    for (const row of this.statements.rejectedByKind.all(depositId)) {
      if (row.kind === 'coin') returned.coinCount = row.n;
      else if (row.kind === 'bill') returned.billCount = row.n;
      else returned.unsortedCount = row.n;
    }
    return returned;
  }

  /**
   * The server refused this terminal (terminal-refusal.ts): kept across restarts until `terminalEnabled`, so
   * the kiosk starts out of service however long it is cut off from the server.
   */
  recordTerminalRefusal(code: TerminalRefusalCode, atMs: number): void {
    this.statements.refuse.run(code, atMs);
  }

  /** A heartbeat said the terminal is enabled: the kept refusal no longer stands. */
  terminalEnabled(): void {
    this.statements.unrefuse.run();
  }

  /** The refusal kept by recordTerminalRefusal, if one stands (a code this software no longer knows is none). */
  terminalRefusal(): { code: TerminalRefusalCode; atMs: number } | null {
    const row = this.statements.refusal.get();
    const code = terminalRefusalCodes.find((known) => known === row?.code);
    if (row === undefined || code === undefined) return null;
    return { code, atMs: row.at_ms };
  }

  /**
   * The printer said this committed deposit's receipt came out: it is no longer owed to its shopper. The
   * first print counts; a reprint changes nothing.
   */
  markReceiptPrinted(depositId: string, atMs: number): void {
    this.statements.markPrinted.run(atMs, depositId);
  }

  /**
   * Committed vouchers and offline deposits whose receipt never came out of the printer, oldest first, at
   * most `limit`: the only copy of a voucher's claim code (the server keeps a hash) or of an offline
   * deposit's signed QR, owed to a shopper who paid. Strays are nobody's receipt and never listed.
   */
  unprintedReceipts(limit: number): RecentDeposit[] {
    return this.statements.unprinted.all(limit).map((row) => ({
      deposit: KioskDepositSchema.parse(JSON.parse(row.payload)),
      outbox: row.status,
      receiptPrinted: false,
    }));
  }

  /**
   * The committed shopper's deposits and vouchers the maintenance screen lists for reprinting (strays and
   * alarms are nobody's receipt), at most `limit`, with where each stands with the server: first the
   * receipts owed (unprintedReceipts, oldest first), so a tech sees every one of them, then the newest.
   */
  recentDeposits(limit: number): RecentDeposit[] {
    const owed = this.unprintedReceipts(limit);
    const listed = new Set(owed.map(({ deposit }) => deposit.depositId));
    const newest = this.statements.recent
      .all(limit)
      .map((row) => ({
        deposit: KioskDepositSchema.parse(JSON.parse(row.payload)),
        outbox: row.status,
        receiptPrinted: row.printed === 1,
      }))
      .filter(({ deposit }) => !listed.has(deposit.depositId));
    return [...owed, ...newest].slice(0, limit);
  }

  /** The most recently committed deposit's id, for "reprint last receipt". */
  lastCommittedDepositId(): UuidV7 | undefined {
    return this.statements.lastCommittedId.get()?.deposit_id as UuidV7 | undefined;
  }

  /** Committed deposits after a sequence number, in order, at most `limit` (maintenance and audits). */
  committedAfter(sequence: number, limit: number): KioskDeposit[] {
    return this.statements.committedAfter
      .all(sequence, limit)
      .map((row) => KioskDepositSchema.parse(JSON.parse(row.payload)));
  }

  /**
   * Money journaled with no deposit at all (another currency's coin, or a journal from before stray
   * deposits): in the bag, reconciled at collection.
   */
  strayCredits(): { totalMinor: number; events: number } {
    const row = this.statements.strayCredits.get()!;
    return { totalMinor: row.total, events: row.n };
  }

  /** Stray money committed as deposits of its own (see commitStray), bound for suspense. */
  strayDeposits(): { totalMinor: number; deposits: number } {
    const row = this.statements.strayDeposits.get()!;
    return { totalMinor: row.total, deposits: row.n };
  }
}
