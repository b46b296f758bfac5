import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Code, KioskSnapshot } from '@cashin/shared';
import { realClock } from '@cashin/shared';
import { Simulator } from '@cashin/hardware-sim';
import { pino } from 'pino';
import { loadAgentConfig } from '../agent/agent-config.js';
import type { RunningAgent } from '../agent/agent.js';
import { startAgent } from '../agent/agent.js';
import { enrollTerminal } from '../agent/enroll.js';
import { writeSimulatedKioskConfig } from '../agent/simulated-kiosk-config.js';
import type { ServerChaosBackend } from '../chaos/server-backend.js';
import type { DeviceUrl } from '../ports/device-url.js';
import { openStream } from '../ports/open-stream.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';
import { epochMs } from './bench-report.js';

/**
 * A whole kiosk on the real clock for the benches: the hardware simulator's devices over TCP at 9600 baud
 * with echo, the real agent (drivers, runner, SQLite journal at WAL + FULL, signed sync, bridge) enrolled
 * with the real server, which the caller started (`serverBackend(realClock(), { listen: true })`). Also
 * notes when bytes last arrived from each device, so a bench can tell the wait for a poll from what the
 * kiosk does with the reply.
 */
export interface BenchKiosk {
  sim: Simulator;
  agent: RunningAgent;
  /** The agent's data directory (journal, key, identity). */
  dataDir: string;
  /** A shopper signed up on the server. */
  shopperCode: Code;
  /** When bytes last came in from each device (epoch ms, sub-millisecond). */
  lastBytesAtMs: Map<string, number>;
  close(): Promise<void>;
}

export async function startBenchKiosk(options: {
  server: ServerChaosBackend;
  devices: ReadonlyArray<'coin' | 'bill'>;
  uiDir?: string | null;
  bridgeToken: string;
  /** Laid over the default limits (a bench comparing poll intervals). */
  limits?: unknown;
}): Promise<BenchKiosk> {
  const clock = realClock();
  const sim = await Simulator.start({
    currency: 'USD',
    clock,
    devices: Object.fromEntries(options.devices.map((device) => [device, { kind: 'tcp', port: 0 }])),
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-kiosk-'));
  const configFile = path.join(dir, 'kiosk.json');
  const limitsFile = options.limits === undefined ? null : path.join(dir, 'limits.json');
  if (limitsFile !== null) writeFileSync(limitsFile, JSON.stringify(options.limits));
  writeSimulatedKioskConfig(configFile, {
    serverUrl: options.server.baseUrl,
    deviceUrls: Object.fromEntries(options.devices.map((device) => [device, sim.urls[device]])),
    uiDir: options.uiDir ?? null,
    terminalName: 'bench',
    languages: ['en'],
    limitsFile,
  });
  const config = loadAgentConfig(configFile);
  const { key } = loadOrCreateTerminalKey(config.dataDir);
  const enrolled = await enrollTerminal({
    serverUrl: options.server.baseUrl,
    token: await options.server.enrollmentToken(),
    key,
    softwareVersion: 'bench',
    dataDir: config.dataDir,
    clock,
    requestTimeoutMs: 5_000,
  });
  if (!enrolled.ok) throw new Error(`bench kiosk could not enroll: ${JSON.stringify(enrolled)}`);

  const lastBytesAtMs = new Map<string, number>();
  // The simulator serves each device on its own TCP port: the port says which device a stream is.
  const portNames = new Map(options.devices.map((device) => [new URL(sim.urls[device] ?? '').port, device]));
  const openPort = async (url: DeviceUrl): Promise<Duplex> => {
    const stream = await openStream(url);
    const name = (url.scheme === 'tcp' ? portNames.get(String(url.port)) : undefined) ?? url.scheme;
    // Attached before the driver's own reader, so it runs first for every chunk.
    stream.on('data', () => lastBytesAtMs.set(name, epochMs()));
    return stream;
  };
  const agent = await startAgent({
    config,
    bridgeToken: options.bridgeToken,
    clock,
    logger: pino({ level: 'silent' }),
    openPort,
  });
  return {
    sim,
    agent,
    dataDir: config.dataDir,
    shopperCode: await options.server.newShopperCode(),
    lastBytesAtMs,
    async close() {
      await agent.stop();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Times one method of a running part (the journal's `append`, the outbox's `markSynced`) without changing
 * what it does: `after` hears the arguments, the result and when the call began and returned (epoch ms).
 * Benches only: it replaces the method on that one object, which the part calls through as usual.
 */
export function observeCalls<T extends object, K extends keyof T>(
  target: T,
  method: K,
  after: (
    args: T[K] extends (...args: infer A) => unknown ? A : never,
    result: T[K] extends (...args: never[]) => infer R ? R : never,
    enteredAtMs: number,
    returnedAtMs: number,
  ) => void,
): void {
  const original = target[method] as unknown as (...args: unknown[]) => unknown;
  const observed = (...args: unknown[]): unknown => {
    const enteredAtMs = epochMs();
    const result = original.apply(target, args);
    after(args as never, result as never, enteredAtMs, epochMs());
    return result;
  };
  (target as Record<K, unknown>)[method] = observed;
}

/** Resolves with the first snapshot that satisfies `done` (the current one included), or rejects. */
export function snapshotWhere(
  agent: RunningAgent,
  done: (snapshot: KioskSnapshot) => boolean,
  timeoutMs = 20_000,
): Promise<KioskSnapshot> {
  const now = agent.runner.current();
  if (done(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`the bench kiosk stayed on ${agent.runner.current().screen}`));
    }, timeoutMs);
    const unsubscribe = agent.runner.subscribe((snapshot) => {
      if (!done(snapshot)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(snapshot);
    });
  });
}
