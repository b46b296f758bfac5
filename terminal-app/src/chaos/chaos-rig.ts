import type { Duplex } from 'node:stream';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FakeClock, SeededRandom } from '@cashin/shared';
import { defaultLimits } from '@cashin/shared';
import { BillValidatorSim, CoinAcceptorSim, PrinterSim } from '@cashin/hardware-sim';
import type { FaultyLink } from '@cashin/scripts/testing/faulty-fetch';
import { createFaultyLink } from '@cashin/scripts/testing/faulty-fetch';
import { pino } from 'pino';
import type { RunningAgent } from '../agent/agent.js';
import { startAgent } from '../agent/agent.js';
import { loadAgentConfig } from '../agent/agent-config.js';
import { enrollTerminal } from '../agent/enroll.js';
import { hashTechnicianPin } from '../agent/technician-pin.js';
import { duplexPair } from '../devices/common/duplex-pair.js';
import type { DeviceUrl } from '../ports/device-url.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';
import type { ChaosBackend } from './chaos-backend.js';

/**
 * One kiosk for a chaos run: simulated coin acceptor, bill validator and printer on in-memory byte pipes
 * (through the real drivers), the real agent on a SQLite journal in `dataDir`, a seeded faulty link to the
 * backend, and one FakeClock for all of it, so a run is decided by its seed. `crash()` stops the agent the
 * way a killed process stops (the runner writes nothing more) and `restart()` starts a new one on the same
 * files, as the supervisor would.
 */
const deviceHosts = { coin: 'chaos-coin', bill: 'chaos-bill', printer: 'chaos-printer' } as const;

/** What a chaos kiosk needs of the server side: where it is, how to reach it, and an enrollment token. */
export type ChaosKioskBackend = Pick<ChaosBackend, 'baseUrl' | 'fetch' | 'enrollmentToken'>;

/** A simulated device the chaos run can unplug (its cable out: the agent's port fails until plugged in). */
export type ChaosDeviceName = keyof typeof deviceHosts;

export class ChaosKiosk {
  readonly coin: CoinAcceptorSim;
  readonly bill: BillValidatorSim;
  readonly printer: PrinterSim;
  readonly link: FaultyLink;
  agent: RunningAgent | undefined;
  restarts = 0;
  /** The agent's own randomness (sync backoff jitter), seeded like everything else in the run. */
  private readonly agentRandom: SeededRandom;
  /** Each device's current cable (the kiosk's end), and the devices whose cable is out. */
  private readonly cables = new Map<string, Duplex>();
  private readonly unplugged = new Set<string>();

  private constructor(
    private readonly clock: FakeClock,
    random: SeededRandom,
    private readonly backend: ChaosKioskBackend,
    private readonly configFile: string,
    /**
     * Whether starts and stops move the clock themselves (a run of one kiosk), or wait for whoever drives
     * the clock for many kiosks at once (the network chaos run).
     */
    private readonly drivesClock: boolean,
  ) {
    const common = {
      currency: 'USD' as const,
      clock,
      limits: defaultLimits.system,
      baud: undefined,
      echo: true,
    };
    this.coin = new CoinAcceptorSim(common);
    this.bill = new BillValidatorSim(common);
    this.printer = new PrinterSim();
    this.agentRandom = random.fork('agent');
    this.link = createFaultyLink({
      random: random.fork('link'),
      target: backend.fetch,
      sleep: (ms) => clock.sleep(ms),
    });
  }

  static async create(options: {
    clock: FakeClock;
    random: SeededRandom;
    backend: ChaosKioskBackend;
    dataDir: string;
    /** Another kiosk name in its config (several kiosks share a server). */
    terminalName?: string;
    /** False when the caller drives the shared clock (see the constructor); true by default. */
    drivesClock?: boolean;
    /** A limits override for the agent (a long offline spell needs wider offline caps). */
    limits?: unknown;
  }) {
    const configFile = path.join(options.dataDir, 'kiosk.json');
    const limitsFile = path.join(options.dataDir, 'limits.json');
    if (options.limits !== undefined) writeFileSync(limitsFile, JSON.stringify(options.limits));
    writeFileSync(
      configFile,
      JSON.stringify({
        serverUrl: options.backend.baseUrl,
        dataDir: './data',
        terminalName: options.terminalName ?? 'chaos',
        timeZone: 'UTC',
        currency: 'USD',
        languages: ['en'],
        uiPort: 0,
        technicianPinHash: hashTechnicianPin('0000'),
        limitsFile: options.limits === undefined ? null : limitsFile,
        devices: [
          { name: 'coin', kind: 'coinAcceptor', url: `tcp://${deviceHosts.coin}:1`, currency: 'USD' },
          { name: 'bill', kind: 'billValidator', url: `tcp://${deviceHosts.bill}:1`, currency: 'USD' },
          { name: 'printer', kind: 'printer', url: `tcp://${deviceHosts.printer}:1`, currency: 'USD' },
        ],
      }),
    );
    const kiosk = new ChaosKiosk(
      options.clock,
      options.random,
      options.backend,
      configFile,
      options.drivesClock ?? true,
    );
    const config = loadAgentConfig(configFile);
    const { key } = loadOrCreateTerminalKey(config.dataDir);
    const enrolled = await enrollTerminal({
      serverUrl: options.backend.baseUrl,
      token: await options.backend.enrollmentToken(),
      key,
      softwareVersion: 'chaos',
      dataDir: config.dataDir,
      clock: options.clock,
      requestTimeoutMs: 5_000,
      fetch: options.backend.fetch,
    });
    if (!enrolled.ok) throw new Error(`chaos kiosk could not enroll: ${JSON.stringify(enrolled)}`);
    await kiosk.restart();
    return kiosk;
  }

  /** Each (re)start plugs fresh pipes into the simulated devices, as a reconnected cable would. */
  private open = async (url: DeviceUrl): Promise<Duplex> => {
    const host = url.scheme === 'tcp' ? url.host : '';
    if (this.unplugged.has(host)) throw new Error(`${host} is unplugged`);
    const [kioskEnd, deviceEnd] = duplexPair();
    this.cables.set(host, kioskEnd);
    if (host === deviceHosts.coin) this.coin.attach(deviceEnd);
    else if (host === deviceHosts.bill) this.bill.attach(deviceEnd);
    else if (host === deviceHosts.printer) this.printer.attach(deviceEnd);
    else throw new Error(`no simulated device at ${host}`);
    return kioskEnd;
  };

  /** Pulls a device's cable: the agent's port closes, and reopening fails until `plugIn`. */
  unplug(device: ChaosDeviceName): void {
    const host = deviceHosts[device];
    this.unplugged.add(host);
    this.cables.get(host)?.destroy();
    this.cables.delete(host);
  }

  /** Puts the cable back; the agent's port finds it on its next reconnect attempt. */
  plugIn(device: ChaosDeviceName): void {
    this.unplugged.delete(deviceHosts[device]);
  }

  isPlugged(device: ChaosDeviceName): boolean {
    return !this.unplugged.has(deviceHosts[device]);
  }

  /** Awaits a start or stop, moving the clock only when this kiosk drives it. */
  private await<T>(work: Promise<T>): Promise<T> {
    return this.drivesClock ? advanceUntil(this.clock, work) : work;
  }

  async restart(): Promise<void> {
    const config = loadAgentConfig(this.configFile);
    // The agent starts its devices while the clock stands still; let its start-up exchanges run.
    const starting = startAgent({
      config,
      bridgeToken: 'chaos-bridge-token-0123456789abcdef',
      clock: this.clock,
      random: () => this.agentRandom.next(),
      logger: pino({ level: 'silent' }),
      fetch: this.link.fetch,
      openPort: this.open,
    });
    this.agent = await this.await(starting);
  }

  /** The process dies here: nothing more is journaled, then everything it held is let go. */
  async crash(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    if (!agent) return;
    agent.runner.stop();
    // Closing the drivers waits for a poll in flight and for the acceptors to take their inhibits, which
    // are answered on the fake clock: awaited with the clock standing still, that would never end.
    await this.await(agent.stop());
    this.restarts += 1;
  }

  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    if (agent) await this.await(agent.stop());
  }
}

/** How long a chaos kiosk lets one start or stop take, in simulated time, before calling it stuck. */
const startStopMsMax = 60_000;
const driveStepMs = 25;

/**
 * Awaits `work` while moving the fake clock on in small steps: anything the kiosk awaits (a device reply,
 * a poll in flight, a delayed link) is timed by that clock, so every wait in a chaos run must advance it.
 */
export async function advanceUntil<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let done = false;
  const watched = work.finally(() => (done = true));
  for (let passedMs = 0; !done; passedMs += driveStepMs) {
    if (passedMs > startStopMsMax) throw new Error(`a chaos kiosk step took over ${startStopMsMax} ms`);
    await settle();
    if (done) break;
    await clock.advanceAsync(driveStepMs);
  }
  return watched;
}

/** Lets queued I/O callbacks (in-memory pipes, inject) run; no wall-clock wait. */
export async function settle(turns = 5): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}
