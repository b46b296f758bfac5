import type { CurrencyCode, UuidV7 } from '@cashin/shared';
import { addMinor, multiplyMinor } from '@cashin/shared';
import type { JournalDatabase } from './database.js';

export interface BagLine {
  kind: 'coin' | 'bill';
  valueMinor: number;
  count: number;
}

export interface BagCurrencyTotal {
  currency: CurrencyCode;
  totalMinor: number;
  pieces: number;
  lines: BagLine[];
}

/**
 * The money in one device's bag or cassette since its last collection. Normally one currency; a device
 * configured with another currency's channels shows up as a second entry rather than being summed into the
 * first (the deposit engine journals such money as a stray so it is never lost).
 */
export interface BagTotal {
  device: string;
  totalsByCurrency: BagCurrencyTotal[];
}

export interface Collection {
  collectionId: UuidV7;
  device: string;
  collectedAtMs: number;
  totals: BagTotal;
}

interface LineRow {
  device: string;
  currency: string;
  kind: 'coin' | 'bill';
  value_minor: number;
  count: number;
}

/**
 * Bag totals per device and cash collections. A bag's contents are the credit events journaled after its
 * last collection's high-water event id, strays included (a coin that fell after its deposit committed is
 * still in the bag). A collection records what the kiosk believes was in the bag and moves the mark; it
 * edits nothing, so the server can reconcile the counted amount against it (over/short).
 */
export class Bag {
  private readonly statements;
  private readonly collectTransaction: (collectionId: UuidV7, device: string, atMs: number) => Collection;

  constructor(db: JournalDatabase) {
    const sinceMark = `event_id > COALESCE(
      (SELECT MAX(through_event_id) FROM collections c WHERE c.device = e.device), 0)`;
    this.statements = {
      lines: db.prepare<[], LineRow>(`
        SELECT device, currency, kind, value_minor, SUM(count) AS count FROM deposit_events e
        WHERE type = 'credit' AND ${sinceMark}
        GROUP BY device, currency, kind, value_minor ORDER BY device, currency, kind DESC, value_minor`),
      linesFor: db.prepare<[string], LineRow>(`
        SELECT device, currency, kind, value_minor, SUM(count) AS count FROM deposit_events e
        WHERE type = 'credit' AND device = ? AND ${sinceMark}
        GROUP BY device, currency, kind, value_minor ORDER BY currency, kind DESC, value_minor`),
      lastEventId: db.prepare<[], { id: number }>(
        `SELECT COALESCE(MAX(event_id), 0) AS id FROM deposit_events`,
      ),
      insert: db.prepare(`
        INSERT INTO collections (collection_id, device, collected_at_ms, through_event_id, totals)
        VALUES (?, ?, ?, ?, ?)`),
      list: db.prepare<
        [number],
        { collection_id: string; device: string; collected_at_ms: number; totals: string }
      >(
        `SELECT collection_id, device, collected_at_ms, totals FROM collections
         ORDER BY collected_at_ms DESC, collection_id DESC LIMIT ?`,
      ),
    };
    this.collectTransaction = db.transaction(
      (collectionId: UuidV7, device: string, atMs: number): Collection => {
        const totals = toTotals(device, this.statements.linesFor.all(device));
        // The mark is the newest event of any device: events are only ever appended, so everything this
        // device credited so far is at or below it, and everything it credits later is above it.
        const through = this.statements.lastEventId.get()!.id;
        this.statements.insert.run(collectionId, device, atMs, through, JSON.stringify(totals));
        return { collectionId, device, collectedAtMs: atMs, totals };
      },
    );
  }

  /** Every device that holds money since its last collection. */
  totals(): BagTotal[] {
    const byDevice = new Map<string, LineRow[]>();
    for (const row of this.statements.lines.all()) {
      const rows = byDevice.get(row.device) ?? [];
      rows.push(row);
      byDevice.set(row.device, rows);
    }
    return [...byDevice.entries()].map(([device, rows]) => toTotals(device, rows));
  }

  totalFor(device: string): BagTotal {
    return toTotals(device, this.statements.linesFor.all(device));
  }

  /** The bag of `device` was taken out: keep what it held, and start counting again from zero. */
  collect(collectionId: UuidV7, device: string, atMs: number): Collection {
    return this.collectTransaction(collectionId, device, atMs);
  }

  /** The latest collections, newest first. */
  collections(limit: number): Collection[] {
    return this.statements.list.all(limit).map((row) => ({
      collectionId: row.collection_id as UuidV7,
      device: row.device,
      collectedAtMs: row.collected_at_ms,
      totals: JSON.parse(row.totals) as BagTotal,
    }));
  }
}

function toTotals(device: string, rows: readonly LineRow[]): BagTotal {
  const byCurrency = new Map<string, BagCurrencyTotal>();
  for (const row of rows) {
    const entry = byCurrency.get(row.currency) ?? {
      currency: row.currency as CurrencyCode,
      totalMinor: 0,
      pieces: 0,
      lines: [],
    };
    entry.totalMinor = addMinor(entry.totalMinor, multiplyMinor(row.value_minor, row.count));
    entry.pieces += row.count;
    entry.lines.push({ kind: row.kind, valueMinor: row.value_minor, count: row.count });
    byCurrency.set(row.currency, entry);
  }
  return { device, totalsByCurrency: [...byCurrency.values()] };
}
