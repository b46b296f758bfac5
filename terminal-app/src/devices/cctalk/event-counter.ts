/**
 * The event counter arithmetic shared by 229 (coins) and 159 (bills). The counter runs 1..255 and wraps
 * to 1, never to 0; 0 means the device was reset or lost power.
 */
export type CounterStep =
  { kind: 'baseline' } | { kind: 'reset' } | { kind: 'events'; fresh: number; lost: number };

const counterModulus = 255;

/**
 * What happened between two replies. `last` is undefined before the first reply: that reply only sets
 * the baseline (its events predate this host). `bufferSize` events fit in the device; more than that
 * between two polls means the oldest were overwritten before we saw them.
 */
export function counterStep(last: number | undefined, counter: number, bufferSize: number): CounterStep {
  if (last === undefined) return { kind: 'baseline' };
  if (counter === 0) return last === 0 ? { kind: 'events', fresh: 0, lost: 0 } : { kind: 'reset' };
  // From 0 (just after a reset) the counter goes 1, 2, ...: 0 counts as 255 for the arithmetic.
  const n = (counter - last + counterModulus) % counterModulus;
  const fresh = Math.min(n, bufferSize);
  return { kind: 'events', fresh, lost: n - fresh };
}

/** The counter after `events` more events (1..255, wrapping to 1). */
export function counterAfter(counter: number, events: number): number {
  if (events === 0) return counter;
  return ((counter - 1 + events) % counterModulus) + 1;
}
