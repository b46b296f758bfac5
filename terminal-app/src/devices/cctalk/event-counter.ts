import type { DeviceEvent } from '@cashin/shared';

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

/** The counter `events` events before `counter` (the inverse of `counterAfter`, on the same 1..255 ring). */
export function counterBefore(counter: number, events: number): number {
  if (events === 0) return counter;
  return ((((counter - 1 - events) % counterModulus) + counterModulus) % counterModulus) + 1;
}

/** The journal's last event counter for a device, and the serial number of the device it was read from. */
export interface EventCounterBaseline {
  readonly counter: number;
  readonly serial: string | null;
}

/**
 * A device event stamped with the acceptor's event counter right after it happened. The journal keeps the
 * counter of the last event it wrote (in the same transaction), and gives it back to the driver at start as
 * its baseline, so events the device buffered while the agent was down are reported, not skipped.
 */
export type CountedDeviceEvent = DeviceEvent & { readonly eventCounter?: number };

export function withEventCounter(event: DeviceEvent, counter: number | undefined): DeviceEvent {
  if (counter === undefined) return event;
  const counted: CountedDeviceEvent = { ...event, eventCounter: counter };
  return counted;
}

/** The counter an acceptor stamped on `event`, or undefined (not a buffered device event). */
export function eventCounterOf(event: DeviceEvent): number | undefined {
  const counter = (event as CountedDeviceEvent).eventCounter;
  return typeof counter === 'number' ? counter : undefined;
}
