import type { Duplex } from 'node:stream';
import type {
  Clock,
  Denomination,
  DeviceConfig,
  DeviceEvent,
  DeviceStatus,
  SystemLimits,
  TimerHandle,
} from '@cashin/shared';
import type { DeviceUrl } from '../ports/device-url.js';
import { parseDeviceUrl } from '../ports/device-url.js';
import { ReconnectingPort } from '../ports/reconnecting-port.js';
import { BillValidator } from './bill/bill-validator.js';
import { CoinAcceptor } from './coin/coin-acceptor.js';
import type { AlarmSink, DeviceDriver } from './common/driver.js';
import type { EventCounterBaseline } from './cctalk/event-counter.js';
import { DeviceEventHub } from './common/event-hub.js';
import { BulkCounter } from './counter/bulk-counter.js';
import type { CounterRegisters } from './counter/counter-registers.js';
import { ReceiptPrinter } from './printer/receipt-printer.js';
import { HidPosScanner } from './scanner/hid-pos-scanner.js';
import { LineScanner } from './scanner/line-scanner.js';

/** Every driver the kiosk can have, each with `replaceStream` so a reconnect keeps its state. */
export type KioskDriver =
  CoinAcceptor | BillValidator | BulkCounter | LineScanner | HidPosScanner | ReceiptPrinter;

export interface OpenDevicesOptions {
  readonly devices: readonly DeviceConfig[];
  readonly clock: Clock;
  readonly limits: SystemLimits;
  /**
   * Asked for each bill in escrow: stack (true) or return (false). The deposit engine answers from the
   * deposit's remaining room; without it a bill is stacked when it fits the last accept limit.
   */
  readonly decideEscrow?: (device: string, bill: Denomination) => boolean | Promise<boolean>;
  /** Opens a URL's byte pipe; the real ports module by default (tests pass in-memory pipes). */
  readonly open?: (url: DeviceUrl) => Promise<Duplex>;
  /**
   * The journal's last event counter per acceptor (by device name): the driver's baseline, so events the
   * device buffered while the agent was down are reported at start rather than skipped.
   */
  readonly eventCounters?: (device: string) => EventCounterBaseline | undefined;
  /**
   * The journal's last registers per bulk counter (by device name), stamped on its events as
   * `counterRegisters`: the driver's baseline, so coins the counter counted while the agent was down (it
   * cannot be inhibited) are reported at start rather than taken as its starting point.
   */
  readonly counterRegisters?: (device: string) => CounterRegisters | undefined;
  /** Where drivers report one-off alarms (fraud attempts, money of unknown value, refused routes): a log. */
  readonly onAlarm?: AlarmSink;
  /**
   * Called for each device once its driver has started: at start-up, or later for a device that would
   * not open at first (a cable plugged in after boot). The agent journals a new acceptor's counter here.
   */
  readonly onOpened?: (device: ManagedDevice) => void;
}

/** One configured device: its driver, and the port that keeps the driver's pipe open. */
export interface ManagedDevice<D extends KioskDriver = KioskDriver> {
  readonly config: DeviceConfig;
  readonly driver: D;
  /** The driver's events plus `disconnected` / `connected` from the port as it drops and comes back. */
  subscribe(listener: (event: DeviceEvent) => void): () => void;
  status(): DeviceStatus;
}

export interface FailedDevice {
  readonly config: DeviceConfig;
  /** Why it would not open or initialise; the kiosk shows DEVICE_FAULT for it. */
  readonly reason: string;
  /**
   * Whether it is tried again: yes when the device did not open or answer (unplugged, powered off, ser2net
   * down), with the reconnect backoff; no when its URL is not a device URL at all (a configuration error).
   */
  readonly retrying: boolean;
}

/**
 * The kiosk's devices, opened from configuration. The agent uses:
 *
 * ```ts
 * const kiosk = await openDevices({ devices: config.devices, clock, limits: limits.system,
 *                                   decideEscrow: (_, bill) => deposit.canTake(bill.valueMinor) });
 * kiosk.subscribe((event) => engine.onDeviceEvent(event));      // or: for await (const e of kiosk.events())
 * await kiosk.coinAcceptors()[0]?.driver.setAcceptLimit(remainingMinor);
 * await kiosk.printers()[0]?.driver.print(job);
 * kiosk.statuses();                                             // for the maintenance screen
 * await kiosk.close();                                          // inhibits acceptors, closes ports
 * ```
 */
export interface KioskDevices {
  /** The devices open now; one that would not open at start-up joins when it does. */
  readonly devices: readonly ManagedDevice[];
  /** Devices that could not be opened or did not answer at start-up, as they were then. */
  readonly failed: readonly FailedDevice[];
  coinAcceptors(): ManagedDevice<CoinAcceptor>[];
  billValidators(): ManagedDevice<BillValidator>[];
  bulkCounters(): ManagedDevice<BulkCounter>[];
  scanners(): ManagedDevice<LineScanner | HidPosScanner>[];
  printers(): ManagedDevice<ReceiptPrinter>[];
  /**
   * Every device's events, merged, in the order they happened. The first listener also gets, at once,
   * every event that came before it (see `openDevices`); `events()` gets only what comes after it.
   */
  subscribe(listener: (event: DeviceEvent) => void): () => void;
  events(signal?: AbortSignal): AsyncIterable<DeviceEvent>;
  statuses(): DeviceStatus[];
  close(): Promise<void>;
}

function makeDriver(
  config: DeviceConfig,
  url: DeviceUrl,
  stream: Duplex,
  options: OpenDevicesOptions,
): KioskDriver {
  const common = { name: config.name, stream, clock: options.clock, limits: options.limits };
  const onAlarm = options.onAlarm;
  switch (config.kind) {
    case 'coinAcceptor':
      return new CoinAcceptor({
        ...common,
        onAlarm,
        eventCounterBaseline: options.eventCounters?.(config.name),
        currency: config.currency,
        ...(config.address ? { address: config.address } : {}),
        ...(config.checksum ? { checksum: config.checksum } : {}),
      });
    case 'billValidator': {
      const decide = options.decideEscrow;
      return new BillValidator({
        ...common,
        onAlarm,
        eventCounterBaseline: options.eventCounters?.(config.name),
        currency: config.currency,
        ...(config.address ? { address: config.address } : {}),
        ...(config.checksum ? { checksum: config.checksum } : {}),
        ...(decide ? { decideEscrow: (bill: Denomination) => decide(config.name, bill) } : {}),
      });
    }
    case 'bulkCounter':
      return new BulkCounter({
        ...common,
        onAlarm,
        currency: config.currency,
        registersBaseline: options.counterRegisters?.(config.name),
      });
    case 'scanner':
      return url.scheme === 'hid' || url.scheme === 'hidPath'
        ? new HidPosScanner(common)
        : new LineScanner(common);
    case 'printer':
      return new ReceiptPrinter(common);
  }
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}

/** Opens every configured device, starts its driver, and keeps its port reconnecting. */
export async function openDevices(options: OpenDevicesOptions): Promise<KioskDevices> {
  const hub = new DeviceEventHub('kiosk', options.limits.deviceEventQueueMax);
  // Every device event that comes before anyone listens is held, in order, for the first `subscribe`
  // listener (the deposit runner): what an acceptor reports at start from its journaled baseline, coins
  // the bulk counter counts meanwhile (it cannot be inhibited), a fault raised while a device started.
  // Money dropped here would be in the bag and in no deposit, and a dropped fault would never be heard.
  // At most `deviceEventQueueMax` are held: past that the oldest go, and the listener first hears a
  // `lostEvents` for as many, which holds the deposit for review.
  const held: DeviceEvent[] = [];
  let heldDropped = 0;
  let listened = false;
  const toHub = (event: DeviceEvent): void => {
    if (listened) {
      hub.emit(event);
      return;
    }
    if (held.length >= options.limits.deviceEventQueueMax) {
      held.shift();
      heldDropped += 1;
    }
    held.push(event);
  };
  const devices: ManagedDevice[] = [];
  const ports: ReconnectingPort[] = [];
  const failed: FailedDevice[] = [];
  const retries = new Map<string, TimerHandle>();
  /** Devices not open yet, being tried again, with why the last try failed (for the maintenance screen). */
  const waiting = new Map<string, { config: DeviceConfig; reason: string }>();
  let closed = false;

  /** Opens one device's port, makes and starts its driver; throws (having closed both) when it cannot. */
  const openOne = async (config: DeviceConfig, url: DeviceUrl): Promise<void> => {
    const portEvents = new DeviceEventHub(config.name, options.limits.deviceEventQueueMax);
    const holder: { driver?: KioskDriver; disconnected: boolean } = { disconnected: false };
    const port = new ReconnectingPort(
      {
        device: config.name,
        url,
        clock: options.clock,
        backoffMsMin: options.limits.deviceReconnectBackoffMsMin,
        backoffMsMax: options.limits.deviceReconnectBackoffMsMax,
        ...(options.open ? { open: options.open } : {}),
      },
      {
        onStream: (stream, isReconnect) => {
          if (isReconnect) {
            holder.disconnected = false;
            holder.driver?.replaceStream(stream);
          }
        },
        onEvent: (event) => {
          // The driver announces `connected` itself once the device answers; the port reports the line.
          if (event.type === 'disconnected') holder.disconnected = true;
          if (event.type === 'disconnected' || holder.driver) portEvents.emit(event);
        },
      },
    );
    try {
      const stream = await port.start();
      const driver = makeDriver(config, url, stream, options);
      holder.driver = driver;
      const managed: ManagedDevice = {
        config,
        driver,
        subscribe: (listener) => {
          const a = driver.subscribe(listener);
          const b = portEvents.subscribe(listener);
          return () => {
            a();
            b();
          };
        },
        status: () => {
          const status = driver.status();
          return holder.disconnected ? { ...status, state: 'disconnected' } : status;
        },
      };
      // What the driver says while it starts (`connected`, money it buffered) waits until the device is
      // in the list: a listener told `connected` must find the device there to command it.
      const starting: DeviceEvent[] = [];
      let forward = (event: DeviceEvent): void => void starting.push(event);
      managed.subscribe((event) => forward(event));
      await driver.start();
      if (closed) throw new Error('the kiosk closed its devices while this one was opening');
      devices.push(managed);
      ports.push(port);
      waiting.delete(config.name);
      options.onOpened?.(managed);
      forward = toHub;
      for (const event of starting) toHub(event);
    } catch (error) {
      await port.close();
      await holder.driver?.close().catch(() => undefined);
      throw error;
    }
  };

  // A device that will not open at start-up (its cable not yet plugged in, powered off, ser2net not yet
  // up) is tried again with the reconnect backoff for as long as the kiosk runs, and joins when it answers;
  // until then the deposit engine is told it is disconnected, so a money device's absence takes the kiosk
  // out of service instead of leaving a shopper feeding coins to a device nobody polls.
  const retry = (config: DeviceConfig, url: DeviceUrl, delayMs: number): void => {
    retries.set(
      config.name,
      options.clock.setTimeout(() => {
        retries.delete(config.name);
        if (closed) return;
        openOne(config, url).catch((error: unknown) => {
          waiting.set(config.name, { config, reason: reasonOf(error) });
          retry(config, url, Math.min(delayMs * 2, options.limits.deviceReconnectBackoffMsMax));
        });
      }, delayMs),
    );
  };

  for (const config of options.devices) {
    const parsed = parseDeviceUrl(config.url);
    if (!parsed.ok) {
      failed.push({ config, reason: parsed.problem, retrying: false });
      continue;
    }
    try {
      await openOne(config, parsed.url);
    } catch (error) {
      const reason = reasonOf(error);
      failed.push({ config, reason, retrying: true });
      waiting.set(config.name, { config, reason });
      held.push({ device: config.name, type: 'disconnected', detail: reason });
      retry(config, parsed.url, options.limits.deviceReconnectBackoffMsMin);
    }
  }

  const ofKind = <D extends KioskDriver>(test: (driver: KioskDriver) => driver is D): ManagedDevice<D>[] =>
    devices.filter((d): d is ManagedDevice<D> => test(d.driver));

  return {
    devices,
    failed,
    coinAcceptors: () => ofKind((d): d is CoinAcceptor => d instanceof CoinAcceptor),
    billValidators: () => ofKind((d): d is BillValidator => d instanceof BillValidator),
    bulkCounters: () => ofKind((d): d is BulkCounter => d instanceof BulkCounter),
    scanners: () =>
      ofKind((d): d is LineScanner | HidPosScanner => d instanceof LineScanner || d instanceof HidPosScanner),
    printers: () => ofKind((d): d is ReceiptPrinter => d instanceof ReceiptPrinter),
    subscribe: (listener) => {
      const unsubscribe = hub.subscribe(listener);
      if (!listened) {
        listened = true;
        const first = [...held];
        held.length = 0;
        if (heldDropped > 0) listener({ device: 'kiosk', type: 'lostEvents', count: heldDropped });
        for (const event of first) listener(event);
      }
      return unsubscribe;
    },
    events: (signal) => hub.iterate(signal),
    statuses: () => [
      ...devices.map((d) => d.status()),
      ...[...waiting.values()].map(({ config, reason }): DeviceStatus => ({
        device: config.name,
        kind: config.kind,
        state: 'disconnected',
        faults: [],
        detail: reason,
      })),
    ],
    close: async () => {
      closed = true;
      for (const timer of retries.values()) options.clock.clearTimeout(timer);
      retries.clear();
      for (const device of devices) await (device.driver as DeviceDriver).close();
      for (const port of ports) await port.close();
      hub.close();
    },
  };
}
