import type { HeartbeatResponse, SetAsideRetryReport, TerminalSummary } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import { appendAudit } from '../audit/audit-log.js';
import type { Deps } from '../deps.js';
import type { Tx } from '../storage/db.js';
import type { TerminalRecord } from './terminal-record.js';
import { lockKnownTerminal } from './terminal-record.js';

/**
 * Ops asking a kiosk, from the console, to send its set-aside deposits again: the same act as a tech's
 * "send set-aside deposits again" on its maintenance screen, without a trip to the store. The server cannot
 * call a kiosk; it keeps the request on the terminal's row and names it in every heartbeat answer until
 * the kiosk reports what came of it. The server credits a deposit by its id, so a kiosk that runs one
 * request twice (a restart before its report landed) credits nothing twice.
 */

/**
 * Records the request and answers the terminal's row as it now stands. While one request waits for the
 * kiosk, asking again answers that one (a double click, two operators) rather than queueing another.
 * Refused with CONFLICT when the kiosk was never enrolled or its last heartbeat said nothing is set aside.
 */
export async function requestSetAsideRetry(
  deps: Pick<Deps, 'db' | 'clock' | 'newId'>,
  terminalId: string,
  by: string,
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  await deps.db.transaction(async (tx) => {
    const terminal = await lockKnownTerminal(tx, terminalId);
    if (terminal.setAsideRetryPending !== null) return;
    if (terminal.publicKey === null) throw new CodedError('CONFLICT', { reason: 'terminalNotEnrolled' });
    if (terminal.setAsideDeposits === 0) throw new CodedError('CONFLICT', { reason: 'nothingSetAside' });
    const requestId = deps.newId();
    await tx.run(
      `UPDATE terminals SET set_aside_retry_id = ?, set_aside_retry_requested_at_ms = ?,
         set_aside_retry_requested_by = ? WHERE id = ?`,
      [requestId, nowMs, by, terminalId],
    );
    await appendAudit(
      tx,
      {
        kind: 'terminal.setAsideRetryRequested',
        subject: terminalId,
        data: { requestId, setAside: terminal.setAsideDeposits, by },
      },
      nowMs,
    );
  });
}

/**
 * Cancels the request that waits for the kiosk: a kiosk whose software predates the request never reports,
 * and its request would wait for ever. Once cancelled, heartbeat answers no longer name it, so a kiosk that
 * did not run it yet never will; one that already ran it stops reporting, and its late report settles
 * nothing (any deposit it sent was credited once, by its id). CONFLICT `setAsideRetryNotPending` when that
 * request no longer waits (the kiosk reported, or it was cancelled already).
 */
export async function cancelSetAsideRetry(
  deps: Pick<Deps, 'db' | 'clock'>,
  terminalId: string,
  requestId: string,
  by: string,
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  await deps.db.transaction(async (tx) => {
    const terminal = await lockKnownTerminal(tx, terminalId);
    const pending = terminal.setAsideRetryPending;
    if (pending === null || pending.requestId !== requestId)
      throw new CodedError('CONFLICT', { reason: 'setAsideRetryNotPending' });
    await tx.run(
      `UPDATE terminals SET set_aside_retry_id = NULL, set_aside_retry_requested_at_ms = NULL,
         set_aside_retry_requested_by = NULL WHERE id = ?`,
      [terminalId],
    );
    await appendAudit(
      tx,
      {
        kind: 'terminal.setAsideRetryCancelled',
        subject: terminalId,
        // The request's own entry, under the same id, says when and by whom it was asked.
        data: { requestId, by },
      },
      nowMs,
    );
  });
}

/**
 * Inside a heartbeat's transaction (the terminal row locked): a report of the request that waits settles
 * it (kept as the last result, audited, the request cleared); a report of any other request (one settled
 * already, its answer lost on the way) changes nothing. Answers what the heartbeat's answer asks of the
 * kiosk.
 */
export async function settleSetAsideRetry(
  tx: Tx,
  terminal: TerminalRecord,
  report: SetAsideRetryReport | undefined,
  nowMs: number,
): Promise<HeartbeatResponse['retrySetAside']> {
  const pending = terminal.setAsideRetryPending;
  if (pending === null) return null;
  if (report === undefined || report.requestId !== pending.requestId) return { requestId: pending.requestId };
  const result: NonNullable<TerminalSummary['lastSetAsideRetry']> = {
    requestedAtMs: pending.requestedAtMs,
    requestedBy: pending.requestedBy,
    reportedAtMs: nowMs,
    requeued: report.requeued,
    synced: report.synced,
    setAsideAgain: report.setAsideAgain,
    errorCode: report.errorCode,
  };
  await tx.run(
    `UPDATE terminals SET set_aside_retry_id = NULL, set_aside_retry_requested_at_ms = NULL,
       set_aside_retry_requested_by = NULL, set_aside_retry_result_json = ? WHERE id = ?`,
    [JSON.stringify(result), terminal.id],
  );
  await appendAudit(
    tx,
    {
      kind: 'terminal.setAsideRetried',
      subject: terminal.id,
      data: {
        requestId: report.requestId,
        requeued: report.requeued,
        synced: report.synced,
        setAsideAgain: report.setAsideAgain,
        errorCode: report.errorCode,
        // The kiosk acted, as in its other entries.
        by: terminal.id,
      },
    },
    nowMs,
  );
  return null;
}
