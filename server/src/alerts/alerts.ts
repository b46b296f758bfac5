import type { Alert, AlertFacts } from '@cashin/shared';
import { AlertFactsSchema, CodedError, alertKeysKeptMax, alertSequencesKeptMax } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import type { Tx } from '../storage/db.js';

type AlertKind = Alert['kind'];

/** The most alerts one listing returns, newest first. */
export const alertsListedMax = 500;

/** Where an alert is raised, and what it is about. */
export interface AlertRaised {
  readonly terminalId: string;
  readonly storeId: string;
  readonly facts: AlertFacts;
}

/** The facts as the English sentence kept in `detail`, for logs and API users. */
export function alertDetail(facts: AlertFacts): string {
  switch (facts.kind) {
    case 'terminalSilent':
      return `no heartbeat for ${facts.silentMinutes} min`;
    case 'sequenceGap':
      return `${facts.missing} sequence number(s) below ${facts.below} not received`;
    case 'lostCoinEvents':
      return `deposit sequence ${sequenceText(facts)} reported lost coin events`;
    case 'syncConflict':
      return `deposit sequence ${sequenceText(facts)} conflicts with what the server holds`;
    case 'bagNearlyFull':
      return `bag holds ${facts.coins} of ${facts.coinsMax} coins`;
    case 'deviceFault':
      return facts.devices
        .map((device) => `${device.device}: ${device.faults.join('+') || 'fault'}`)
        .join('; ');
    case 'keyRevoked':
      return (
        `key ${facts.keyFingerprints.join(', ')} revoked (device lost or stolen); ` +
        `${facts.refusedRequests} request(s) signed with it refused since`
      );
    case 'depositsSetAside':
      return (
        `${facts.deposits} deposit(s)` +
        (facts.totalMinor === null ? '' : ` holding ${facts.totalMinor} ${facts.currency} (minor units)`) +
        ' set aside on the kiosk and never credited'
      );
  }
}

function sequenceText(facts: { sequences: readonly number[]; truncated: boolean }): string {
  return facts.sequences.join(', ') + (facts.truncated ? ' and more' : '');
}

/** Distinct sequence numbers, ascending, cut to what an alert keeps. */
export function alertSequences(
  sequences: Iterable<number>,
  truncated = false,
): {
  sequences: number[];
  truncated: boolean;
} {
  const sorted = [...new Set(sequences)].sort((a, b) => a - b);
  return {
    sequences: sorted.slice(0, alertSequencesKeptMax),
    truncated: truncated || sorted.length > alertSequencesKeptMax,
  };
}

/**
 * The open alert's facts brought up to date by a new report. Alerts about deposits (lost coin events, sync
 * conflicts) add the newly named deposits to the ones already named, since the earlier ones still need a
 * look; a revoked key's alert adds the key and counts the refused request; every other kind states the
 * condition as it is now (a gap that grew, a bag that filled more).
 */
function updatedFacts(open: AlertFacts | null, facts: AlertFacts): AlertFacts {
  if (open === null || open.kind !== facts.kind) return facts;
  if (facts.kind === 'keyRevoked' && open.kind === 'keyRevoked') {
    return {
      kind: 'keyRevoked',
      keyFingerprints: [...new Set([...open.keyFingerprints, ...facts.keyFingerprints])].slice(
        0,
        alertKeysKeptMax,
      ),
      refusedRequests: open.refusedRequests + facts.refusedRequests,
      lastRefusedAtMs: facts.lastRefusedAtMs ?? open.lastRefusedAtMs,
    };
  }
  if (
    (facts.kind === 'lostCoinEvents' || facts.kind === 'syncConflict') &&
    (open.kind === 'lostCoinEvents' || open.kind === 'syncConflict')
  ) {
    return {
      kind: facts.kind,
      ...alertSequences([...open.sequences, ...facts.sequences], open.truncated || facts.truncated),
    };
  }
  return facts;
}

function factsOf(json: string | null): AlertFacts | null {
  if (json === null) return null;
  const parsed = AlertFactsSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : null;
}

/**
 * Raises an alert unless one of the same kind is already open for the terminal (a partial unique index
 * makes that one INSERT, safe when several processes or retried requests raise it at once). Answers
 * whether this call raised it.
 */
export async function raiseAlert(
  tx: Tx,
  deps: Pick<Deps, 'newId'>,
  alert: AlertRaised,
  nowMs: number,
): Promise<boolean> {
  const inserted = await tx.run(
    `INSERT INTO alerts (id, kind, terminal_id, store_id, raised_at_ms, detail, facts_json)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
    [
      deps.newId(),
      alert.facts.kind,
      alert.terminalId,
      alert.storeId,
      nowMs,
      alertDetail(alert.facts),
      JSON.stringify(alert.facts),
    ],
  );
  return inserted === 1;
}

/**
 * Brings the terminal's open alert of this kind up to date (updatedFacts); answers false, changing nothing,
 * when none is open. The caller holds the terminal's row lock, so no other report on the same terminal
 * changes the open alert between this read and its update.
 */
export async function updateOpenAlert(tx: Tx, alert: AlertRaised): Promise<boolean> {
  const open = await tx.get<{ id: string; facts_json: string | null }>(
    'SELECT id, facts_json FROM alerts WHERE terminal_id = ? AND kind = ? AND resolved_at_ms IS NULL',
    [alert.terminalId, alert.facts.kind],
  );
  if (open === undefined) return false;
  const facts = updatedFacts(factsOf(open.facts_json), alert.facts);
  // An operator may close it by hand meanwhile (that takes no terminal lock): then it counts as not open.
  const updated = await tx.run(
    'UPDATE alerts SET detail = ?, facts_json = ? WHERE id = ? AND resolved_at_ms IS NULL',
    [alertDetail(facts), JSON.stringify(facts), open.id],
  );
  return updated > 0;
}

/**
 * Raises the alert, or brings the open one up to date. One an operator closed by hand is not added to
 * (nobody would look at it again): this report raises a new alert of its own.
 */
export async function raiseOrUpdateAlert(
  tx: Tx,
  deps: Pick<Deps, 'newId'>,
  alert: AlertRaised,
  nowMs: number,
): Promise<void> {
  if (!(await updateOpenAlert(tx, alert))) await raiseAlert(tx, deps, alert, nowMs);
}

/** Closes the terminal's open alert of this kind, if any (the condition has gone). */
export async function resolveAlert(
  tx: Tx,
  terminalId: string,
  kind: AlertKind,
  nowMs: number,
): Promise<void> {
  await tx.run(
    'UPDATE alerts SET resolved_at_ms = ? WHERE terminal_id = ? AND kind = ? AND resolved_at_ms IS NULL',
    [nowMs, terminalId, kind],
  );
}

/**
 * An operator closes an open alert by hand, with a note of what they found. Answers the alert as it now
 * stands: a retried request, or one for an alert its condition has closed meanwhile, finds it closed and
 * changes nothing. Closing is audited on the terminal's chain (the alert's own id for an alert without a
 * terminal). The next report of the same trouble raises a new alert.
 */
export async function resolveAlertByHand(
  deps: Pick<Deps, 'db' | 'clock'>,
  input: { alertId: string; note: string; by: string },
): Promise<Alert> {
  const nowMs = deps.clock.nowMs();
  return deps.db.transaction(async (tx) => {
    const closed = await tx.run(
      `UPDATE alerts SET resolved_at_ms = ?, resolved_by = ?, resolution_note = ?
       WHERE id = ? AND resolved_at_ms IS NULL`,
      [nowMs, input.by, input.note, input.alertId],
    );
    const row = await tx.get<AlertRow>(`SELECT ${alertColumns} FROM alerts WHERE id = ?`, [input.alertId]);
    if (row === undefined) throw new CodedError('NOT_FOUND');
    if (closed > 0) {
      await appendAudit(
        tx,
        {
          kind: 'alert.closed',
          subject: row.terminal_id ?? row.id,
          data: { alertId: row.id, alertKind: row.kind, note: input.note, by: input.by },
        },
        nowMs,
      );
    }
    return alertOf(row);
  });
}

const alertColumns =
  'id, kind, terminal_id, store_id, raised_at_ms, resolved_at_ms, detail, facts_json, resolved_by, resolution_note';

interface AlertRow extends Record<string, unknown> {
  id: string;
  kind: AlertKind;
  terminal_id: string | null;
  store_id: string | null;
  raised_at_ms: number;
  resolved_at_ms: number | null;
  detail: string;
  facts_json: string | null;
  resolved_by: string | null;
  resolution_note: string | null;
}

function alertOf(row: AlertRow): Alert {
  return {
    id: row.id,
    kind: row.kind,
    terminalId: row.terminal_id,
    storeId: row.store_id,
    raisedAtMs: row.raised_at_ms,
    resolvedAtMs: row.resolved_at_ms,
    detail: row.detail,
    facts: factsOf(row.facts_json),
    resolvedBy: row.resolved_by,
    resolutionNote: row.resolution_note,
  };
}

export async function listAlerts(deps: Pick<Deps, 'db'>, openOnly: boolean): Promise<Alert[]> {
  const rows = await deps.db.transaction((tx) =>
    tx.all<AlertRow>(
      `SELECT ${alertColumns} FROM alerts
       ${openOnly ? 'WHERE resolved_at_ms IS NULL' : ''} ORDER BY raised_at_ms DESC, id DESC LIMIT ${alertsListedMax}`,
    ),
  );
  return rows.map(alertOf);
}

/** How many alerts are open: for the ops console's navigation, which needs the number, not the list. */
export async function countOpenAlerts(deps: Pick<Deps, 'db'>): Promise<number> {
  const row = await deps.db.transaction((tx) =>
    tx.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM alerts WHERE resolved_at_ms IS NULL'),
  );
  // PostgreSQL answers a bigint count as text.
  return Number(row?.n ?? 0);
}
