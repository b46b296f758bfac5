import type { DeviceDiagnostics, DeviceEvent, DeviceKind, DeviceStatus, SystemLimits } from '@cashin/shared';
import type { AlarmSink, DeviceAlarmKind, DeviceDriver } from './driver.js';
import { DeviceEventHub } from './event-hub.js';
import { FaultSet } from './fault-set.js';

/**
 * The plumbing every driver has, whatever its device speaks: a name, an event hub behind `subscribe` and
 * `events`, the set of active faults, and whether it was closed. A driver extends it and adds only what its
 * protocol needs; this is the one base class of the drivers, so there is a single place to read how events
 * leave a driver and how its status is worked out.
 */
export abstract class DriverScaffold implements DeviceDriver {
  abstract readonly kind: DeviceKind;
  readonly name: string;
  protected readonly hub: DeviceEventHub;
  protected readonly faults: FaultSet;
  private closedFlag = false;

  protected constructor(
    name: string,
    limits: SystemLimits,
    private readonly onAlarm?: AlarmSink,
  ) {
    this.name = name;
    this.hub = new DeviceEventHub(name, limits.deviceEventQueueMax);
    this.faults = new FaultSet(name, (event) => this.hub.emit(event));
  }

  abstract start(): Promise<void>;
  abstract selfTest(): Promise<DeviceDiagnostics>;
  abstract close(): Promise<void>;

  /** Closed, faulted or ok; a driver that can refuse money, or has more to say, overrides it. */
  status(): DeviceStatus {
    return this.statusNow();
  }

  subscribe(listener: (event: DeviceEvent) => void): () => void {
    return this.hub.subscribe(listener);
  }

  events(signal?: AbortSignal): AsyncIterable<DeviceEvent> {
    return this.hub.iterate(signal);
  }

  protected get closed(): boolean {
    return this.closedFlag;
  }

  protected emit(event: DeviceEvent): void {
    this.hub.emit(event);
  }

  /** Reports a one-off alarm for the log (see `DeviceAlarm`); it changes no state. */
  protected alarm(alarm: DeviceAlarmKind, detail: string): void {
    this.onAlarm?.({ device: this.name, alarm, detail });
  }

  /** Closed wins, then any active fault; otherwise `disabled` when the driver refuses money, else `ok`. */
  protected stateNow(disabled = false): DeviceStatus['state'] {
    if (this.closedFlag) return 'disconnected';
    if (this.faults.list().length > 0) return 'faulted';
    return disabled ? 'disabled' : 'ok';
  }

  /** The status every driver reports; `detail` only for devices that have something to add. */
  protected statusNow(disabled = false, detail?: string): DeviceStatus {
    const status = {
      device: this.name,
      kind: this.kind,
      state: this.stateNow(disabled),
      faults: this.faults.list(),
    };
    return detail === undefined ? status : { ...status, detail };
  }

  /** The self-test of a device that cannot be asked anything (a scanner): it is fine while it is open. */
  protected passiveSelfTest(detail: string): Promise<DeviceDiagnostics> {
    return Promise.resolve({
      device: this.name,
      kind: this.kind,
      channels: [],
      ok: !this.closedFlag,
      answered: !this.closedFlag,
      faults: [],
      detail,
    });
  }

  /** Marks the driver closed and tells every subscriber it is gone; call last, once the device is released. */
  protected finishClose(): void {
    this.closedFlag = true;
    this.hub.close();
  }
}
