import type { DeviceEvent, DeviceFault } from '@cashin/shared';

/** The cause a fault is raised for when the caller names none: most faults have only one. */
const soleCause = 'device';

/**
 * The faults a device has now. Raising an active fault or clearing an inactive one emits nothing, so a
 * device that repeats "stacker full" on every poll makes one event, not hundreds.
 *
 * One fault can have several causes at once (an acceptor's `protocolError` for polls that go unanswered
 * and for inhibits it did not acknowledge): the fault is active while any of its causes is, so clearing
 * one cause never announces the fault cleared while another still holds it.
 */
export class FaultSet {
  private readonly active = new Map<DeviceFault, Set<string>>();

  constructor(
    private readonly device: string,
    private readonly emit: (event: DeviceEvent) => void,
  ) {}

  raise(fault: DeviceFault, detail?: string, cause: string = soleCause): void {
    const causes = this.active.get(fault);
    if (causes) {
      causes.add(cause);
      return;
    }
    this.active.set(fault, new Set([cause]));
    this.emit({ device: this.device, type: 'fault', fault, ...(detail ? { detail } : {}) });
  }

  /** Clears `cause` of `fault`; the fault is announced cleared once no cause holds it any more. */
  clear(fault: DeviceFault, cause: string = soleCause): void {
    const causes = this.active.get(fault);
    if (!causes?.delete(cause) || causes.size > 0) return;
    this.active.delete(fault);
    this.emit({ device: this.device, type: 'faultCleared', fault });
  }

  has(fault: DeviceFault, cause?: string): boolean {
    const causes = this.active.get(fault);
    return causes !== undefined && (cause === undefined || causes.has(cause));
  }

  list(): DeviceFault[] {
    return [...this.active.keys()];
  }
}
