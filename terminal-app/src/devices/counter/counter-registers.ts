import type { DeviceEvent } from '@cashin/shared';

/** One denomination register of the bulk counter: which coin it counts, and how many it had counted. */
export interface CounterRegister {
  readonly register: number;
  readonly ccTalkId: string;
  readonly count: number;
}

/**
 * The bulk counter's registers as the driver has reported them: what the acceptors' event counter is to
 * them. The counter cannot be inhibited, so it goes on counting while the agent is down; the journal keeps
 * these (in the same transaction as the event that carried them) and gives them back to the driver at
 * start, which reports what the registers grew by since, instead of taking the grown registers as its
 * starting point and losing the coins poured during a restart.
 */
export interface CounterRegisters {
  /** Every denomination register, in register order. */
  readonly counts: readonly CounterRegister[];
  readonly rejects: number;
  /** When these registers were read (the injected clock), so a start can tell how long it was down. */
  readonly atMs: number;
}

/** A bulk counter event stamped with the registers right after it: the journal's next baseline. */
export type RegisteredDeviceEvent = DeviceEvent & { readonly counterRegisters?: CounterRegisters };

export function withCounterRegisters(event: DeviceEvent, registers: CounterRegisters): DeviceEvent {
  const registered: RegisteredDeviceEvent = { ...event, counterRegisters: registers };
  return registered;
}

/** The registers a bulk counter stamped on `event`, or undefined (not a bulk counter's money event). */
export function counterRegistersOf(event: DeviceEvent): CounterRegisters | undefined {
  return (event as RegisteredDeviceEvent).counterRegisters;
}
