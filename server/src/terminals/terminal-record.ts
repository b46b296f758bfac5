import type { CurrencyCode, DeviceStatus } from '@cashin/shared';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';

/** A terminal as the server keeps it: identity, key, sequence bookkeeping and the last heartbeat. */
export interface TerminalRecord {
  readonly id: string;
  readonly storeId: string;
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly bagAccountId: string;
  /** The key that signs today; null before the first enrollment, and after ops revoked it until the next. */
  readonly publicKey: string | null;
  /** When a device last enrolled; null if none ever did. */
  readonly enrolledAtMs: number | null;
  readonly enabled: boolean;
  readonly sequenceHigh: number;
  readonly sequenceCount: number;
  readonly lastHeartbeatAtMs: number | null;
  readonly softwareVersion: string | null;
  readonly devices: DeviceStatus[];
  readonly queueDepth: number;
  readonly unsyncedTotalMinor: number;
  readonly oldestUnsyncedAtMs: number | null;
  readonly reportedLastSequence: number;
  readonly bagTotalMinor: number;
  readonly bagCoinCount: number;
  /** Deposits the last heartbeat said the terminal holds set aside, and what they come to (null: unknown). */
  readonly setAsideDeposits: number;
  readonly setAsideTotalMinor: number | null;
}

interface TerminalRow extends Record<string, unknown> {
  id: string;
  store_id: string;
  name: string;
  currency: CurrencyCode;
  bag_account_id: string;
  public_key: string | null;
  enrolled_at_ms: number | null;
  enabled: number;
  sequence_high: number;
  sequence_count: number;
  last_heartbeat_at_ms: number | null;
  software_version: string | null;
  devices_json: string;
  queue_depth: number;
  unsynced_total_minor: number;
  oldest_unsynced_at_ms: number | null;
  reported_last_sequence: number;
  bag_total_minor: number;
  bag_coin_count: number;
  set_aside_reported: number | string;
  set_aside_total_minor: number | string | null;
}

export const terminalColumns =
  'id, store_id, name, currency, bag_account_id, public_key, enrolled_at_ms, enabled, sequence_high, sequence_count, last_heartbeat_at_ms, software_version, devices_json, queue_depth, unsynced_total_minor, oldest_unsynced_at_ms, reported_last_sequence, bag_total_minor, bag_coin_count, set_aside_reported, set_aside_total_minor';

export function terminalFromRow(row: TerminalRow): TerminalRecord {
  return {
    id: row.id,
    storeId: row.store_id,
    name: row.name,
    currency: row.currency,
    bagAccountId: row.bag_account_id,
    publicKey: row.public_key,
    enrolledAtMs: row.enrolled_at_ms,
    enabled: row.enabled === 1,
    sequenceHigh: row.sequence_high,
    sequenceCount: row.sequence_count,
    lastHeartbeatAtMs: row.last_heartbeat_at_ms,
    softwareVersion: row.software_version,
    devices: JSON.parse(row.devices_json) as DeviceStatus[],
    queueDepth: row.queue_depth,
    unsyncedTotalMinor: row.unsynced_total_minor,
    oldestUnsyncedAtMs: row.oldest_unsynced_at_ms,
    reportedLastSequence: row.reported_last_sequence,
    bagTotalMinor: row.bag_total_minor,
    bagCoinCount: row.bag_coin_count,
    setAsideDeposits: Number(row.set_aside_reported),
    setAsideTotalMinor: row.set_aside_total_minor === null ? null : Number(row.set_aside_total_minor),
  };
}

export async function findTerminal(tx: Tx, id: string): Promise<TerminalRecord | undefined> {
  const row = await tx.get<TerminalRow>(`SELECT ${terminalColumns} FROM terminals WHERE id = ?`, [id]);
  return row === undefined ? undefined : terminalFromRow(row);
}

/**
 * The terminal row locked for the rest of the transaction (PostgreSQL): a sync batch, a receipt
 * redemption and a collection of the same terminal queue here, so sequence counters and the bag's
 * expected total are read and written by one of them at a time.
 */
export async function lockTerminal(tx: Tx, id: string): Promise<TerminalRecord | undefined> {
  const row = await tx.get<TerminalRow>(
    `SELECT ${terminalColumns} FROM terminals WHERE id = ?${forUpdate(tx.dialect)}`,
    [id],
  );
  return row === undefined ? undefined : terminalFromRow(row);
}

export async function listTerminals(tx: Tx): Promise<TerminalRecord[]> {
  return (await tx.all<TerminalRow>(`SELECT ${terminalColumns} FROM terminals ORDER BY id`)).map(
    terminalFromRow,
  );
}
