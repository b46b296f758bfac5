import type { Duplex } from 'node:stream';
import type { Clock, CurrencyCode, SystemLimits } from '@cashin/shared';
import { defaultLimits, realClock } from '@cashin/shared';
import { parseDeviceUrl } from '@cashin/terminal-app/ports/device-url.js';
import { openStream } from '@cashin/terminal-app/ports/open-stream.js';
import { BillValidatorSim } from './bill/bill-validator-sim.js';
import type { AcceptedTotals } from './cctalk/accepted-totals.js';
import { CoinAcceptorSim } from './coin/coin-acceptor-sim.js';
import { BulkCounterSim } from './counter/bulk-counter-sim.js';
import { PrinterSim } from './printer/printer-sim.js';
import { ScannerSim } from './scanner/scanner-sim.js';
import type { PtyPair } from './transport/pty-pair.js';
import { createPtyPair } from './transport/pty-pair.js';
import { TcpEndpoint } from './transport/tcp-endpoint.js';

export const simDeviceNames = ['coin', 'bill', 'counter', 'scanner', 'printer'] as const;
export type SimDeviceName = (typeof simDeviceNames)[number];

/** Where a simulated device listens: a TCP port (0 = any free one), a fresh socat pty pair, or a real tty. */
export type Endpoint = { kind: 'tcp'; port: number } | { kind: 'pty' } | { kind: 'serial'; path: string };

export interface SimulatorOptions {
  readonly currency: CurrencyCode;
  readonly devices: Partial<Record<SimDeviceName, Endpoint>>;
  readonly clock?: Clock;
  readonly limits?: SystemLimits;
  /** ccTalk single-wire echo (default on, as on a real bus). */
  readonly echo?: boolean;
  /** Line pacing; undefined sends as fast as the pipe goes (fast tests). Default 9600. */
  readonly baud?: number | undefined;
}

interface Attachment {
  /** The URL a kiosk puts in its devices config to reach this device. */
  readonly url: string;
  unplug(): void;
  plug(): void;
  close(): Promise<void>;
}

/**
 * The whole simulated kiosk hardware, for the CLI and for the agent's and chaos tests: start it, point
 * the kiosk at `urls`, drive the devices (`sim.coin?.insert(25)`), then compare `accepted()` with what
 * the kiosk credited and read `sim.printer?.receipts`.
 */
export class Simulator {
  coin: CoinAcceptorSim | undefined;
  bill: BillValidatorSim | undefined;
  counter: BulkCounterSim | undefined;
  scanner: ScannerSim | undefined;
  printer: PrinterSim | undefined;
  readonly urls: Partial<Record<SimDeviceName, string>> = {};
  readonly clock: Clock;
  private readonly attachments = new Map<SimDeviceName, Attachment>();

  private constructor(readonly options: SimulatorOptions) {
    this.clock = options.clock ?? realClock();
  }

  static async start(options: SimulatorOptions): Promise<Simulator> {
    const sim = new Simulator(options);
    try {
      for (const name of simDeviceNames) {
        const endpoint = options.devices[name];
        if (endpoint) await sim.startDevice(name, endpoint);
      }
    } catch (error) {
      await sim.close();
      throw error;
    }
    return sim;
  }

  /** What the simulated devices kept, per device and in total. */
  accepted(): { coin?: AcceptedTotals; bill?: AcceptedTotals; counter?: AcceptedTotals; totalMinor: number } {
    const parts = { coin: this.coin?.totals, bill: this.bill?.totals, counter: this.counter?.totals };
    const totalMinor = Object.values(parts).reduce((sum, t) => sum + (t?.valueMinor ?? 0), 0);
    return {
      ...(parts.coin ? { coin: parts.coin } : {}),
      ...(parts.bill ? { bill: parts.bill } : {}),
      ...(parts.counter ? { counter: parts.counter } : {}),
      totalMinor,
    };
  }

  /** Pulls the cable: TCP drops the connection; a pty or serial line goes silent until `plug`. */
  unplug(name: SimDeviceName): void {
    this.attachments.get(name)?.unplug();
  }

  plug(name: SimDeviceName): void {
    this.attachments.get(name)?.plug();
  }

  async close(): Promise<void> {
    for (const attachment of this.attachments.values()) await attachment.close();
    this.attachments.clear();
  }

  private async startDevice(name: SimDeviceName, endpoint: Endpoint): Promise<void> {
    const limits = this.options.limits ?? defaultLimits.system;
    const common = {
      currency: this.options.currency,
      clock: this.clock,
      limits,
      baud: 'baud' in this.options ? this.options.baud : 9600,
      echo: this.options.echo ?? true,
    };
    let attach: (stream: Duplex) => void;
    let mute: (muted: boolean) => void = () => undefined;
    switch (name) {
      case 'coin': {
        const coin = new CoinAcceptorSim(common);
        this.coin = coin;
        attach = (s) => coin.attach(s);
        mute = (m) => (coin.link.muted = m);
        break;
      }
      case 'bill': {
        const bill = new BillValidatorSim(common);
        this.bill = bill;
        attach = (s) => bill.attach(s);
        mute = (m) => (bill.link.muted = m);
        break;
      }
      case 'counter': {
        const counter = new BulkCounterSim(common);
        this.counter = counter;
        attach = (s) => counter.attach(s);
        mute = (m) => (counter.muted = m);
        break;
      }
      case 'scanner': {
        const scanner = new ScannerSim(this.clock, common.baud);
        this.scanner = scanner;
        attach = (s) => scanner.attach(s);
        break;
      }
      case 'printer': {
        const printer = new PrinterSim();
        this.printer = printer;
        attach = (s) => printer.attach(s);
        break;
      }
    }
    const attachment = await this.connect(endpoint, attach, mute);
    this.attachments.set(name, attachment);
    this.urls[name] = attachment.url;
  }

  private async connect(
    endpoint: Endpoint,
    attach: (stream: Duplex) => void,
    mute: (muted: boolean) => void,
  ): Promise<Attachment> {
    if (endpoint.kind === 'tcp') {
      const tcp = await TcpEndpoint.listen(endpoint.port, attach);
      return {
        url: tcp.url,
        unplug: () => tcp.unplug(),
        plug: () => undefined,
        close: () => tcp.close(),
      };
    }
    let pair: PtyPair | undefined;
    let path: string;
    let kioskPath: string;
    if (endpoint.kind === 'pty') {
      pair = await createPtyPair();
      path = pair.simPath;
      kioskPath = pair.kioskPath;
    } else {
      path = endpoint.path;
      kioskPath = endpoint.path;
    }
    const url = parseDeviceUrl(`serial://${path}?baud=9600&parity=none`);
    if (!url.ok) throw new Error(url.problem);
    const stream = await openStream(url.url);
    attach(stream);
    return {
      url:
        endpoint.kind === 'pty' ? `serial://${kioskPath}?baud=9600&parity=none` : `(kiosk side of ${path})`,
      unplug: () => mute(true),
      plug: () => mute(false),
      close: async () => {
        await new Promise<void>((resolve) => {
          stream.once('close', () => resolve());
          stream.destroy();
        });
        await pair?.close();
      },
    };
  }
}
