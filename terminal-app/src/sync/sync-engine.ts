import type { Clock, ErrorCode, KioskDeposit, TimerHandle } from '@cashin/shared';
import { SyncResponseSchema, terminalApiPaths } from '@cashin/shared';
import type { SignedClient } from './signed-client.js';

/**
 * Moves committed deposits from the outbox to the server. It runs at once after each commit when the
 * server is reachable, and otherwise retries with exponential backoff and jitter, so a fleet of kiosks
 * coming back after an outage does not arrive all at once. Only an acknowledgement (created or exists)
 * marks a deposit synced; a conflict is quarantined and reported, never retried forever. One round is in
 * flight at a time, so a deposit is never in two requests at once.
 */
export interface SyncOutbox {
  /** `atMs`: when a row found unreadable is set aside (see Outbox.takeBatch). */
  takeBatch(maxDeposits: number, atMs: number): KioskDeposit[];
  markSynced(depositIds: readonly string[], atMs: number): number;
  quarantine(depositId: string, serverAnswer: unknown, atMs: number): boolean;
}

export interface SyncEngineOptions {
  outbox: SyncOutbox;
  client: SignedClient;
  clock: Clock;
  /** A uniform number in [0, 1): seeded in simulations so a run replays. */
  random: () => number;
  batchDepositsMax: number;
  backoffMsMin: number;
  backoffMsMax: number;
  onStatus?: (status: SyncStatus) => void;
}

export interface SyncStatus {
  online: boolean;
  consecutiveFailures: number;
  lastSyncedAtMs: number | null;
  nextAttemptAtMs: number | null;
  lastErrorCode: ErrorCode | null;
  /**
   * What the last failure was, for the tech and the log (a refused connection, an answer the pinned server
   * key did not sign): the code alone says only that the server could not be heard.
   */
  lastErrorDetail: string | null;
  syncedTotal: number;
  quarantinedTotal: number;
}

/**
 * Refusals of a whole batch that one deposit in it can cause, every time it is sent: a field the server
 * does not take (a bug, or a server upgraded to a stricter schema), a body over its size limit. The batch
 * is split in halves until that deposit is alone, and it is then set aside like a conflict (with the
 * refusal as the server's answer), so one deposit cannot hold back every deposit committed after it.
 */
const oneDepositRefusals: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'BODY_TOO_LARGE',
  'CODE_MALFORMED',
  'AMOUNT_INVALID',
  'CURRENCY_UNKNOWN',
]);

/**
 * A server fault (500) may be one deposit's doing or the server's alone: the batch is split too, so the
 * deposits before the one it fails on still sync, but a deposit refused with it alone is kept and retried
 * with backoff, never set aside: money is not taken out of the queue for what may be an outage.
 */
const splitOnRefusals: ReadonlySet<ErrorCode> = new Set<ErrorCode>([...oneDepositRefusals, 'INTERNAL']);

export interface SyncRound {
  synced: number;
  quarantined: number;
  failed: boolean;
}

/** "Equal jitter": half the exponential delay for certain, the other half at random. */
export function backoffDelayMs(failures: number, minMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class SyncEngine {
  private state: SyncStatus = {
    online: true,
    consecutiveFailures: 0,
    lastSyncedAtMs: null,
    nextAttemptAtMs: null,
    lastErrorCode: null,
    lastErrorDetail: null,
    syncedTotal: 0,
    quarantinedTotal: 0,
  };
  private running: Promise<SyncRound> | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private batchLimit: number;

  constructor(private readonly options: SyncEngineOptions) {
    this.batchLimit = options.batchDepositsMax;
  }

  status(): SyncStatus {
    return { ...this.state };
  }

  /**
   * A deposit was committed: sync now if the server was reachable, else leave it to the backoff timer
   * (a kiosk that cannot reach the server must not hammer it with every coin-filled deposit).
   */
  kick(): void {
    if (this.stopped || this.running) return;
    if (this.state.online || this.timer === undefined) void this.runRound();
  }

  /** Runs one round now, whatever the backoff says (start-up, a technician's "sync now", tests). */
  syncNow(): Promise<SyncRound> {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    return this.running ?? this.runRound();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private runRound(): Promise<SyncRound> {
    const round = this.drain().finally(() => {
      this.running = undefined;
    });
    this.running = round;
    return round;
  }

  /**
   * Sends batches until the outbox is empty or a request fails. A batch refused for what one deposit may
   * cause is sent again in halves (oldest first) for the rest of the round, down to the one deposit.
   */
  private async drain(): Promise<SyncRound> {
    const { outbox, client, clock } = this.options;
    const round: SyncRound = { synced: 0, quarantined: 0, failed: false };
    let splitLimit = this.batchLimit;
    for (;;) {
      const batch = outbox.takeBatch(Math.min(splitLimit, this.batchLimit), clock.nowMs());
      if (batch.length === 0) break;
      const result = await client.post(terminalApiPaths.sync, { deposits: batch }, SyncResponseSchema);
      if (!result.ok) {
        if (result.kind === 'refused' && result.code === 'SYNC_BATCH_TOO_LARGE' && this.batchLimit > 1) {
          // The server's limit is lower than ours: send smaller batches rather than none.
          this.batchLimit = Math.max(1, Math.floor(this.batchLimit / 2));
          continue;
        }
        if (result.kind === 'refused' && splitOnRefusals.has(result.code)) {
          if (batch.length > 1) {
            splitLimit = Math.ceil(batch.length / 2);
            continue;
          }
          const [alone] = batch;
          if (alone !== undefined && oneDepositRefusals.has(result.code)) {
            const refusal = { refused: result.code, status: result.status, details: result.details ?? null };
            if (outbox.quarantine(alone.depositId, refusal, clock.nowMs())) {
              round.quarantined += 1;
              this.state.quarantinedTotal += 1;
              splitLimit = this.batchLimit;
              continue;
            }
          }
        }
        if (result.kind === 'refused') this.fail(result.code, `HTTP ${result.status}`);
        else this.fail('SERVER_UNREACHABLE', result.detail);
        return { ...round, failed: true };
      }
      const nowMs = clock.nowMs();
      const sent = new Set(batch.map((deposit) => deposit.depositId));
      const acknowledged: string[] = [];
      let quarantined = 0;
      for (const answer of result.value.results) {
        if (!sent.has(answer.depositId)) continue;
        if (answer.status === 'conflict') {
          if (outbox.quarantine(answer.depositId, answer.stored, nowMs)) quarantined += 1;
        } else {
          acknowledged.push(answer.depositId);
        }
      }
      const synced = outbox.markSynced(acknowledged, nowMs);
      round.synced += synced;
      round.quarantined += quarantined;
      this.state.syncedTotal += synced;
      this.state.quarantinedTotal += quarantined;
      // An answer that settled nothing of a non-empty batch would loop forever on the same deposits.
      if (synced + quarantined === 0) {
        this.fail('INTERNAL', 'the answer settled none of the batch');
        return { ...round, failed: true };
      }
    }
    this.state = {
      ...this.state,
      online: true,
      consecutiveFailures: 0,
      nextAttemptAtMs: null,
      lastErrorCode: null,
      lastErrorDetail: null,
      lastSyncedAtMs: clock.nowMs(),
    };
    this.options.onStatus?.(this.status());
    return round;
  }

  private fail(code: ErrorCode, detail: string): void {
    const { clock, backoffMsMin, backoffMsMax, random } = this.options;
    const failures = this.state.consecutiveFailures + 1;
    const delayMs = backoffDelayMs(failures, backoffMsMin, backoffMsMax, random);
    this.state = {
      ...this.state,
      online: false,
      consecutiveFailures: failures,
      lastErrorCode: code,
      lastErrorDetail: detail,
      nextAttemptAtMs: clock.nowMs() + delayMs,
    };
    if (!this.stopped) {
      if (this.timer !== undefined) clock.clearTimeout(this.timer);
      this.timer = clock.setTimeout(() => {
        this.timer = undefined;
        if (!this.running) void this.runRound();
      }, delayMs);
    }
    this.options.onStatus?.(this.status());
  }
}
