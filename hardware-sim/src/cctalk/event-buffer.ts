import { counterAfter } from '@cashin/terminal-app/devices/cctalk/event-counter.js';

/**
 * The device's side of 229/159: an event counter (1..255, wrapping to 1; 0 only after power-up) and the
 * newest `size` (A, B) pairs. Older events fall off the end, which is exactly how a host that polls too
 * slowly loses them.
 */
export class EventBuffer {
  counter = 0;
  private pairs: Array<[number, number]> = [];

  constructor(private readonly size: number) {}

  push(a: number, b: number): void {
    this.counter = counterAfter(this.counter, 1);
    this.pairs.unshift([a, b]);
    if (this.pairs.length > this.size) this.pairs.length = this.size;
  }

  /** Power-up state: counter 0, every pair null. */
  reset(): void {
    this.counter = 0;
    this.pairs = [];
  }

  /** The reply data: `[counter][1A][1B]...`, newest first, padded with zeros. */
  replyData(): number[] {
    const data = [this.counter];
    for (let i = 0; i < this.size; i += 1) {
      const pair = this.pairs[i];
      data.push(pair?.[0] ?? 0, pair?.[1] ?? 0);
    }
    return data;
  }
}
