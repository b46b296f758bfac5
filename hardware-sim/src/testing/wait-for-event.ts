import type { DeviceEvent } from '@cashin/shared';

/** Resolves with the `count`-th event that matches: awaiting the signal itself, never a sleep. */
export function waitForEvents(
  subscribe: (listener: (event: DeviceEvent) => void) => () => void,
  matches: (event: DeviceEvent) => boolean,
  count = 1,
): Promise<DeviceEvent[]> {
  return new Promise((resolve) => {
    const seen: DeviceEvent[] = [];
    const unsubscribe = subscribe((event) => {
      if (!matches(event)) return;
      seen.push(event);
      if (seen.length === count) {
        unsubscribe();
        resolve(seen);
      }
    });
  });
}
