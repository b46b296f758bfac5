import type { KioskSnapshot } from '@cashin/shared';
import type { SnapshotSource } from '../agent/bridge-server.js';

/**
 * TEST DOUBLE: a snapshot source driven by hand, standing in for the deposit runner where a test is about
 * the bridge or the screens rather than the deposit logic. Versions increase with every publish, as the
 * runner's do.
 */
export function blankSnapshot(overrides: Partial<KioskSnapshot> = {}): KioskSnapshot {
  return {
    version: 0,
    screen: 'attract',
    language: 'en',
    currency: 'USD',
    online: true,
    shopper: null,
    remainingMinor: null,
    totalMinor: 0,
    items: [],
    rejectedCoinCount: 0,
    rejectedBillCount: 0,
    counting: false,
    lastError: null,
    notice: null,
    outOfService: null,
    offlineCap: null,
    receipt: null,
    ...overrides,
  };
}

export class ManualSnapshotSource implements SnapshotSource {
  private latest: KioskSnapshot;
  private readonly listeners = new Set<(snapshot: KioskSnapshot) => void>();

  constructor(initial: Partial<KioskSnapshot> = {}) {
    this.latest = blankSnapshot(initial);
  }

  current(): KioskSnapshot {
    return this.latest;
  }

  subscribe(listener: (snapshot: KioskSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes a change on top of the latest snapshot, with the next version number. */
  publish(change: Partial<KioskSnapshot>): KioskSnapshot {
    this.latest = { ...this.latest, ...change, version: this.latest.version + 1 };
    for (const listener of this.listeners) listener(this.latest);
    return this.latest;
  }
}
