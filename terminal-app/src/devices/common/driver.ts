import type { DeviceDiagnostics, DeviceEvent, DeviceKind, DeviceStatus } from '@cashin/shared';

/**
 * The surface every device driver offers the agent, whatever the device speaks.
 *
 * - `start()` initialises the device (identify, read tables, baseline) and begins polling; it resolves
 *   once the device is ready, or rejects with a `DeviceStartError` if it never answered.
 * - Events arrive through `subscribe(listener)` (synchronous, in order) or `events()` (an async iterator
 *   with a bounded queue that reports overflow as `lostEvents`).
 * - `status()` is cheap and synchronous; `selfTest()` talks to the device (ccTalk 232, printer status).
 * - `close()` stops polling and releases the stream; it never closes money silently: a coin acceptor is
 *   inhibited first.
 */
export interface DeviceDriver {
  readonly name: string;
  readonly kind: DeviceKind;
  start(): Promise<void>;
  subscribe(listener: (event: DeviceEvent) => void): () => void;
  events(signal?: AbortSignal): AsyncIterable<DeviceEvent>;
  status(): DeviceStatus;
  selfTest(): Promise<DeviceDiagnostics>;
  close(): Promise<void>;
}

/** A device that would not initialise: the kiosk shows DEVICE_FAULT and keeps retrying. */
export class DeviceStartError extends Error {
  override name = 'DeviceStartError';

  constructor(
    readonly device: string,
    readonly reason: string,
  ) {
    super(`${device}: ${reason}`);
  }
}
