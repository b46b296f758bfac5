import type { KioskDeposit } from '@cashin/shared';
import type { SyncOutbox } from '../sync/sync-engine.js';

/**
 * TEST DOUBLE of the journal's outbox with the same contract (sequence order, only pending deposits in a
 * batch, only pending deposits change state), for sync tests that are not about SQLite.
 */
export class MemoryOutbox implements SyncOutbox {
  readonly pending = new Map<string, KioskDeposit>();
  readonly synced = new Map<string, KioskDeposit>();
  readonly quarantined = new Map<string, { deposit: KioskDeposit; answer: unknown }>();

  add(deposit: KioskDeposit): void {
    this.pending.set(deposit.depositId, deposit);
  }

  takeBatch(maxDeposits: number): KioskDeposit[] {
    return [...this.pending.values()].sort((a, b) => a.sequence - b.sequence).slice(0, maxDeposits);
  }

  markSynced(depositIds: readonly string[]): number {
    let changed = 0;
    for (const id of depositIds) {
      const deposit = this.pending.get(id);
      if (!deposit) continue;
      this.pending.delete(id);
      this.synced.set(id, deposit);
      changed += 1;
    }
    return changed;
  }

  quarantine(depositId: string, answer: unknown): boolean {
    const deposit = this.pending.get(depositId);
    if (!deposit) return false;
    this.pending.delete(depositId);
    this.quarantined.set(depositId, { deposit, answer });
    return true;
  }
}
