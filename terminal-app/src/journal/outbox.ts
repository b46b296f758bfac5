import type { KioskDeposit } from '@cashin/shared';
import { KioskDepositSchema } from '@cashin/shared';
import type { JournalDatabase } from './database.js';

/** Where a committed deposit stands with the server. */
export type OutboxState = 'pending' | 'synced' | 'quarantined';

/**
 * What the sync engine, the offline caps and the heartbeat need to know about the queue.
 *
 * The queue (depth, unsynced total and age) is what waits to be sent; the heartbeat reports it and the
 * server judges a stuck queue by it. The offline caps (unsynced value and age, DESIGN 5) count more: every
 * deposit the server has not credited, quarantined ones included. A quarantined deposit's cash is in the
 * kiosk's bag and no wallet or suspense account holds it, so it keeps counting until the server takes it
 * (a tech, or ops from the console, has it sent again once the cause is dealt with: requeueQuarantined),
 * and the maintenance screen says so.
 */
export interface OutboxStatus {
  /** Deposits committed and waiting to be sent (the sync queue; quarantined ones when a tech or ops ask). */
  depth: number;
  /** Their total in minor units (a kiosk has one currency). */
  unsyncedTotalMinor: number;
  /** When the oldest of them was committed; null when the queue is empty. */
  oldestUnsyncedAtMs: number | null;
  /** Deposits the server answered with a conflict, set aside for a person to look at. */
  quarantined: number;
  /** Their total in minor units. */
  quarantinedTotalMinor: number;
  /** Every deposit not credited by the server, waiting or quarantined: what the offline caps count. */
  uncreditedTotalMinor: number;
  /** When the oldest of those was committed; null when there is none. */
  oldestUncreditedAtMs: number | null;
  /** The highest sequence number assigned so far (0 before the first commit). */
  lastSequence: number;
}

export interface QuarantinedDeposit {
  depositId: string;
  /** Null for a row set aside because it no longer reads as a deposit (see takeBatch). */
  deposit: KioskDeposit | null;
  quarantinedAtMs: number;
  /** The server's answer, as it sent it (the stored fields that differ). */
  serverAnswer: unknown;
}

/** A stored payload as a deposit, or what is wrong with it (not JSON, or not a deposit). */
function readStoredDeposit(
  payload: string,
): { ok: true; deposit: KioskDeposit } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  const parsed = KioskDepositSchema.safeParse(json);
  if (parsed.success) return { ok: true, deposit: parsed.data };
  return {
    ok: false,
    problem: parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ')
      .slice(0, 500),
  };
}

/**
 * The outbox side of the journal, for the sync engine: committed deposits wait here, in sequence order,
 * until the server acknowledges them. Delivery is at least once; the server's dedupe by deposit id makes
 * the effect exactly once. Only an acknowledgement (created or exists) marks a deposit synced; a conflict
 * is quarantined and reported, never retried on its own (a tech or ops may have it sent again: requeueQuarantined).
 */
export class Outbox {
  private readonly statements;

  constructor(
    db: JournalDatabase,
    private readonly batchDepositsMax: number,
  ) {
    this.statements = {
      batch: db.prepare<[number], { deposit_id: string; payload: string }>(
        `SELECT deposit_id, payload FROM outbox WHERE status = 'pending' ORDER BY sequence LIMIT ?`,
      ),
      markSynced: db.prepare<[number, string], unknown>(
        `UPDATE outbox SET status = 'synced', synced_at_ms = ? WHERE deposit_id = ? AND status = 'pending'`,
      ),
      requeueQuarantined: db.prepare<[], unknown>(
        `UPDATE outbox SET status = 'pending', quarantined_at_ms = NULL, server_answer = NULL
         WHERE status = 'quarantined'`,
      ),
      quarantine: db.prepare<[number, string, string], unknown>(
        `UPDATE outbox SET status = 'quarantined', quarantined_at_ms = ?, server_answer = ?
         WHERE deposit_id = ? AND status = 'pending'`,
      ),
      status: db.prepare<
        [],
        {
          depth: number;
          total: number;
          oldest: number | null;
          quarantined: number;
          quarantined_total: number;
          uncredited_total: number;
          uncredited_oldest: number | null;
        }
      >(
        `SELECT COALESCE(SUM(status = 'pending'), 0) AS depth,
           COALESCE(SUM(CASE WHEN status = 'pending' THEN total_minor END), 0) AS total,
           MIN(CASE WHEN status = 'pending' THEN committed_at_ms END) AS oldest,
           COALESCE(SUM(status = 'quarantined'), 0) AS quarantined,
           COALESCE(SUM(CASE WHEN status = 'quarantined' THEN total_minor END), 0) AS quarantined_total,
           COALESCE(SUM(total_minor), 0) AS uncredited_total, MIN(committed_at_ms) AS uncredited_oldest
         FROM outbox WHERE status IN ('pending', 'quarantined')`,
      ),
      lastSequence: db.prepare<[], { value: number }>(
        `SELECT value FROM counters WHERE name = 'depositSequence'`,
      ),
      quarantined: db.prepare<
        [number],
        { deposit_id: string; payload: string; quarantined_at_ms: number; server_answer: string }
      >(
        `SELECT deposit_id, payload, quarantined_at_ms, server_answer FROM outbox WHERE status = 'quarantined'
         ORDER BY sequence LIMIT ?`,
      ),
    };
    this.markSyncedAll = db.transaction((depositIds: readonly string[], atMs: number): number => {
      let changed = 0;
      for (const id of depositIds) changed += this.statements.markSynced.run(atMs, id).changes;
      return changed;
    });
  }

  private readonly markSyncedAll: (depositIds: readonly string[], atMs: number) => number;

  /**
   * The oldest unsynced deposits, in sequence order, at most `maxDeposits` and never more than the
   * configured batch maximum. Taking a batch does not lock or change anything: until acknowledged, the same
   * deposits come back next time, so a lost answer means a resend, not a loss.
   *
   * A row that no longer reads as a deposit (a damaged file, a bug) would stop every later deposit from
   * ever being sent: it is set aside like a conflict, at `atMs`, with what is wrong with it as the answer,
   * and the batch is taken again without it. Without `atMs` such a row throws.
   */
  takeBatch(maxDeposits: number = this.batchDepositsMax, atMs?: number): KioskDeposit[] {
    const limit = Math.max(0, Math.min(maxDeposits, this.batchDepositsMax));
    for (;;) {
      const deposits: KioskDeposit[] = [];
      let setAside = false;
      for (const row of this.statements.batch.all(limit)) {
        const read = readStoredDeposit(row.payload);
        if (read.ok) {
          deposits.push(read.deposit);
          continue;
        }
        if (atMs === undefined)
          throw new Error(`outbox row ${row.deposit_id} is unreadable: ${read.problem}`);
        // Each pass sets at least one row aside, so this ends.
        setAside = this.quarantine(row.deposit_id, { unreadableJournalRow: read.problem }, atMs) || setAside;
      }
      if (!setAside) return deposits;
    }
  }

  /** Marks acknowledged deposits synced, in one transaction. Returns how many were pending and now are not. */
  markSynced(depositIds: readonly string[], atMs: number): number {
    return this.markSyncedAll(depositIds, atMs);
  }

  /** Sets aside a deposit the server holds with different fields. Returns false if it was not pending. */
  quarantine(depositId: string, serverAnswer: unknown, atMs: number): boolean {
    return (
      this.statements.quarantine.run(atMs, JSON.stringify(serverAnswer ?? null), depositId).changes === 1
    );
  }

  /**
   * Puts every quarantined deposit back in the queue, for a tech who knows its cause was dealt with. Safe
   * whatever that cause was: the server credits by deposit id, so a deposit it already holds is answered
   * `exists` or `conflict` again, never credited twice. Returns how many went back.
   */
  requeueQuarantined(): number {
    return this.statements.requeueQuarantined.run().changes;
  }

  status(): OutboxStatus {
    const row = this.statements.status.get()!;
    return {
      depth: row.depth,
      unsyncedTotalMinor: row.total,
      oldestUnsyncedAtMs: row.oldest,
      quarantined: row.quarantined,
      quarantinedTotalMinor: row.quarantined_total,
      uncreditedTotalMinor: row.uncredited_total,
      oldestUncreditedAtMs: row.uncredited_oldest,
      lastSequence: this.statements.lastSequence.get()!.value,
    };
  }

  /**
   * How long the oldest deposit not credited (waiting or quarantined) has waited at `nowMs`; null when
   * there is none (offline age cap).
   */
  oldestUnsyncedAgeMs(nowMs: number): number | null {
    const oldest = this.statements.status.get()!.uncredited_oldest;
    return oldest === null ? null : Math.max(0, nowMs - oldest);
  }

  /** Quarantined deposits for the maintenance screen and the heartbeat, oldest first, at most `limit`. */
  quarantined(limit: number): QuarantinedDeposit[] {
    return this.statements.quarantined.all(limit).map((row) => {
      const read = readStoredDeposit(row.payload);
      return {
        depositId: row.deposit_id,
        deposit: read.ok ? read.deposit : null,
        quarantinedAtMs: row.quarantined_at_ms,
        serverAnswer: JSON.parse(row.server_answer) as unknown,
      };
    });
  }
}
