import type { CurrencyCode, DeviceStatus, TerminalSummary } from '@cashin/shared';
import { CodedError, TerminalSummarySchema } from '@cashin/shared';
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
  /** Ops asked the kiosk to send its set-aside deposits again; it has not reported yet. */
  readonly setAsideRetryPending: SetAsideRetryPending | null;
  /** What the kiosk reported of the last such request. */
  readonly lastSetAsideRetry: TerminalSummary['lastSetAsideRetry'];
  /** The server keys its last heartbeat said it believes; null when its software does not say. */
  readonly serverKeys: string[] | null;
}

export interface SetAsideRetryPending {
  readonly requestId: string;
  readonly requestedAtMs: number;
  readonly requestedBy: string;
}

/** The stored report is read back through the wire schema, so a row that does not fit it fails loudly. */
const StoredSetAsideRetrySchema = TerminalSummarySchema.shape.lastSetAsideRetry.unwrap();
const StoredServerKeysSchema = TerminalSummarySchema.shape.serverKeys.unwrap();

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
  set_aside_retry_id: string | null;
  set_aside_retry_requested_at_ms: number | string | null;
  set_aside_retry_requested_by: string | null;
  set_aside_retry_result_json: string | null;
  server_keys_json: string | null;
}

export const terminalColumns =
  'id, store_id, name, currency, bag_account_id, public_key, enrolled_at_ms, enabled, sequence_high, sequence_count, last_heartbeat_at_ms, software_version, devices_json, queue_depth, unsynced_total_minor, oldest_unsynced_at_ms, reported_last_sequence, bag_total_minor, bag_coin_count, set_aside_reported, set_aside_total_minor, set_aside_retry_id, set_aside_retry_requested_at_ms, set_aside_retry_requested_by, set_aside_retry_result_json, server_keys_json';

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
    setAsideRetryPending:
      row.set_aside_retry_id === null
        ? null
        : {
            requestId: row.set_aside_retry_id,
            requestedAtMs: Number(row.set_aside_retry_requested_at_ms),
            requestedBy: row.set_aside_retry_requested_by ?? '',
          },
    lastSetAsideRetry:
      row.set_aside_retry_result_json === null
        ? null
        : StoredSetAsideRetrySchema.parse(JSON.parse(row.set_aside_retry_result_json)),
    serverKeys:
      row.server_keys_json === null ? null : StoredServerKeysSchema.parse(JSON.parse(row.server_keys_json)),
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

/** lockTerminal for an act on a terminal someone named: NOT_FOUND when there is no such terminal. */
export async function lockKnownTerminal(tx: Tx, id: string): Promise<TerminalRecord> {
  const terminal = await lockTerminal(tx, id);
  if (terminal === undefined) throw new CodedError('NOT_FOUND');
  return terminal;
}

export async function listTerminals(tx: Tx): Promise<TerminalRecord[]> {
  return (await tx.all<TerminalRow>(`SELECT ${terminalColumns} FROM terminals ORDER BY id`)).map(
    terminalFromRow,
  );
}
