import type { DeviceEvent, DeviceFault } from '@cashin/shared';

/**
 * The faults a device has now. Raising an active fault or clearing an inactive one emits nothing, so a
 * device that repeats "stacker full" on every poll makes one event, not hundreds.
 */
export class FaultSet {
  private readonly active = new Set<DeviceFault>();

  constructor(
    private readonly device: string,
    private readonly emit: (event: DeviceEvent) => void,
  ) {}

  raise(fault: DeviceFault, detail?: string): void {
    if (this.active.has(fault)) return;
    this.active.add(fault);
    this.emit({ device: this.device, type: 'fault', fault, ...(detail ? { detail } : {}) });
  }

  clear(fault: DeviceFault): void {
    if (!this.active.delete(fault)) return;
    this.emit({ device: this.device, type: 'faultCleared', fault });
  }

  has(fault: DeviceFault): boolean {
    return this.active.has(fault);
  }

  list(): DeviceFault[] {
    return [...this.active];
  }
}
