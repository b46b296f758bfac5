import type { Alert } from '@cashin/shared';
import type { Deps } from '../deps.js';
import type { Tx } from '../storage/db.js';

export type AlertKind = Alert['kind'];

/** The most alerts one listing returns, newest first. */
export const alertsListedMax = 500;

/**
 * Raises an alert unless one of the same kind is already open for the terminal (a partial unique index
 * makes that one INSERT, safe when several processes or retried requests raise it at once). Answers
 * whether this call raised it.
 */
export async function raiseAlert(
  tx: Tx,
  deps: Pick<Deps, 'newId'>,
  alert: { kind: AlertKind; terminalId: string; storeId: string; detail: string },
  nowMs: number,
): Promise<boolean> {
  const inserted = await tx.run(
    `INSERT INTO alerts (id, kind, terminal_id, store_id, raised_at_ms, detail) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
    [deps.newId(), alert.kind, alert.terminalId, alert.storeId, nowMs, alert.detail],
  );
  return inserted === 1;
}

/** Raises the alert, or brings the open one's detail up to date (a gap that grew, a bag that filled more). */
export async function raiseOrUpdateAlert(
  tx: Tx,
  deps: Pick<Deps, 'newId'>,
  alert: { kind: AlertKind; terminalId: string; storeId: string; detail: string },
  nowMs: number,
): Promise<void> {
  const updated = await tx.run(
    'UPDATE alerts SET detail = ? WHERE terminal_id = ? AND kind = ? AND resolved_at_ms IS NULL',
    [alert.detail, alert.terminalId, alert.kind],
  );
  if (updated === 0) await raiseAlert(tx, deps, alert, nowMs);
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

interface AlertRow extends Record<string, unknown> {
  id: string;
  kind: AlertKind;
  terminal_id: string | null;
  store_id: string | null;
  raised_at_ms: number;
  resolved_at_ms: number | null;
  detail: string;
}

export async function listAlerts(deps: Deps, openOnly: boolean): Promise<Alert[]> {
  const rows = await deps.db.transaction((tx) =>
    tx.all<AlertRow>(
      `SELECT id, kind, terminal_id, store_id, raised_at_ms, resolved_at_ms, detail FROM alerts
       ${openOnly ? 'WHERE resolved_at_ms IS NULL' : ''} ORDER BY raised_at_ms DESC, id DESC LIMIT ${alertsListedMax}`,
    ),
  );
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    terminalId: row.terminal_id,
    storeId: row.store_id,
    raisedAtMs: row.raised_at_ms,
    resolvedAtMs: row.resolved_at_ms,
    detail: row.detail,
  }));
}
