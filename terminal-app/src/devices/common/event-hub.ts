import type { DeviceEvent } from '@cashin/shared';

export type DeviceEventListener = (event: DeviceEvent) => void;

/**
 * Fan-out of one driver's events: listeners are called synchronously in order, and async iterators get a
 * bounded queue each. A consumer that falls `queueMax` events behind loses the oldest, and the next event
 * it reads is a `lostEvents` saying how many, so even a stalled consumer never loses money silently.
 */
export class DeviceEventHub {
  private readonly listeners = new Set<DeviceEventListener>();
  private closed = false;

  constructor(
    private readonly device: string,
    private readonly queueMax: number,
  ) {}

  /** Calls `listener` for every event from now on; returns the unsubscribe function. */
  subscribe(listener: DeviceEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: DeviceEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Ends every iterator; subscribers simply stop hearing anything. */
  close(): void {
    this.closed = true;
    for (const listener of [...this.listeners]) listener({ device: this.device, type: 'disconnected' });
    this.listeners.clear();
  }

  async *iterate(signal?: AbortSignal): AsyncGenerator<DeviceEvent> {
    const queue: DeviceEvent[] = [];
    let dropped = 0;
    let wake: (() => void) | undefined;
    const unsubscribe = this.subscribe((event) => {
      if (queue.length >= this.queueMax) {
        queue.shift();
        dropped += 1;
      }
      queue.push(event);
      wake?.();
    });
    const onAbort = (): void => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (dropped > 0) {
          yield { device: this.device, type: 'lostEvents', count: dropped };
          dropped = 0;
        }
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.closed || signal?.aborted) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
