import { setImmediate as nextIoTurn } from 'node:timers/promises';
import type { FakeClock } from '@cashin/shared';

/**
 * Simulated time for the drivers' tests against the hardware simulator (the same steps as the simulator's
 * own tests). Streams deliver on the event loop, not as microtasks, so after each step of the fake clock
 * one I/O turn lets bytes reach the other end. Nothing waits on wall time: the clock moves only when told.
 */
export async function step(clock: FakeClock, deltaMs: number): Promise<void> {
  await nextIoTurn();
  await clock.advanceAsync(deltaMs);
  await nextIoTurn();
}

/** Moves the clock `totalMs` in `stepMs` steps. */
export async function run(clock: FakeClock, totalMs: number, stepMs = 1): Promise<void> {
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) await step(clock, stepMs);
}

/** Steps the clock until `promise` settles (or `limitMs` of simulated time passed: then it throws). */
export async function until<T>(
  clock: FakeClock,
  promise: Promise<T>,
  limitMs = 60_000,
  stepMs = 1,
): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  for (let elapsed = 0; !settled; elapsed += stepMs) {
    if (elapsed > limitMs) throw new Error(`not settled after ${limitMs} ms of simulated time`);
    await step(clock, stepMs);
  }
  return watched;
}
