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

/**
 * A one-off alarm: something a device reported once that leaves nothing broken, so it is no fault (no
 * later event would ever say it was over), such as a coin on a string or a bill route the validator
 * refused. The device event that goes with it (a `reject`, `lostEvents`) is what the deposit engine
 * records; the alarm carries what the device said, for the log. Money is never decided here.
 */
export interface DeviceAlarm {
  readonly device: string;
  readonly alarm: DeviceAlarmKind;
  /** What the device said, such as `error code 20`; never shopper data. */
  readonly detail: string;
}

export type DeviceAlarmKind =
  /** A coin or bill the device refused as an attempt on it (string, light, too fast); rejected. */
  | 'fraudAttempt'
  /** Money the device took whose value the kiosk cannot know; reported as lost events, for review. */
  | 'unknownMoney'
  /** The bill validator refused to route a bill as told; what it did comes in its next events. */
  | 'routeRefused'
  /** The device's serial number could not be read, so the journal's baseline cannot be confirmed. */
  | 'identityUnconfirmed'
  /** A count the device reported that it could not have made; held back until a read makes sense. */
  | 'implausibleCount';

/** Where alarms go: the agent logs them. */
export type AlarmSink = (alarm: DeviceAlarm) => void;

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
