import type { ErrorCode, HeartbeatResponse, SetAsideRetryReport } from '@cashin/shared';

/** What one sending again of the set-aside deposits came to. */
export interface SetAsideRetryOutcome {
  readonly requeued: number;
  readonly synced: number;
  readonly setAsideAgain: number;
  /** Why the sync round stopped early; null when it ran through. */
  readonly errorCode: ErrorCode | null;
}

export interface RemoteSetAsideRetryOptions {
  /** Puts the set-aside deposits back in the queue and runs a sync round (what a tech's button does). */
  run: () => Promise<SetAsideRetryOutcome>;
  /** A request was carried out and its report waits: the agent sends a heartbeat now rather than later. */
  onReportReady: () => void;
}

/**
 * Ops' requests to send the set-aside deposits again, as heartbeat answers name them (the server cannot
 * call a kiosk). Each request id is carried out once while the agent runs; its report rides on every
 * heartbeat until an answer no longer names that request, which means the server has recorded it. A
 * restart before then carries it out once more, which is safe: the server credits a deposit by its id, so
 * a second sending credits nothing twice, and reports the second run.
 */
export class RemoteSetAsideRetry {
  private lastRunId: string | null = null;
  private running = false;
  private report: SetAsideRetryReport | null = null;

  constructor(private readonly options: RemoteSetAsideRetryOptions) {}

  /** A heartbeat's answer: what ops ask now, if anything. */
  heard(request: HeartbeatResponse['retrySetAside']): void {
    // An answer that no longer names the reported request: the server has it.
    if (this.report !== null && this.report.requestId !== request?.requestId) this.report = null;
    if (request === null || this.running || request.requestId === this.lastRunId) return;
    const { requestId } = request;
    this.lastRunId = requestId;
    this.running = true;
    void this.carryOut(requestId);
  }

  /** The report for the next heartbeat, while the server has not recorded it. */
  pendingReport(): SetAsideRetryReport | undefined {
    return this.report ?? undefined;
  }

  private async carryOut(requestId: string): Promise<void> {
    let outcome: SetAsideRetryOutcome;
    try {
      outcome = await this.options.run();
    } catch {
      // Reported as failed: whatever went back in the queue first is sent by the sync loop like any deposit.
      outcome = { requeued: 0, synced: 0, setAsideAgain: 0, errorCode: 'INTERNAL' };
    }
    this.report = { requestId, ...outcome };
    this.running = false;
    this.options.onReportReady();
  }
}
