import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { freeTcpPort } from '../testing/free-port.js';
import path from 'node:path';
import { waitUntilReady } from '../start/supervisor.js';

/**
 * The real server as child processes for a network chaos run (`server/src/main.ts`, as `npm run server`
 * starts it), each on its own port on 127.0.0.1 and all on one database: one process on a SQLite file, or
 * several on one fresh PostgreSQL schema. `kill` is a real SIGKILL (no shutdown hook runs, requests in
 * flight die with it) and `start` brings the same process back on the same port. Clients reach the fleet
 * through `fetch`, a small client-side balancer: requests go round-robin over the processes, and one the
 * chosen process refused (not listening: it is down) goes to the next, as a load balancer would.
 */
export type FleetDatabase =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };

export interface ServerFleetOptions {
  readonly database: FleetDatabase;
  readonly processes: number;
  readonly opsToken: string;
  /** A limits override for the servers (LIMITS_FILE), or none. */
  readonly limitsFile?: string;
  /** Each line a server writes at error level or above, prefixed with its name. */
  readonly log: (line: string) => void;
}

/**
 * How long a (re)started server process may take to answer /readyz. Generous: tsx compiles the server at
 * each start, and on a 2-core machine shared with other builds that has taken over a minute.
 */
export const serverReadyMsMax = 180_000;
/** How long a stopped server may take to exit after SIGTERM before it gets SIGKILL. */
export const serverStopGraceMs = 10_000;
/**
 * The base URL clients are configured with; `fetch` rewrites it to a live process. https, as a kiosk's
 * server address must be off loopback.
 */
export const fleetBaseUrl = 'https://chaos-fleet.invalid';

const root = path.resolve(import.meta.dirname, '../../..');

function refused(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code === 'ECONNREFUSED';
}

export class ServerFleet {
  private readonly children: Array<ChildProcess | undefined>;
  private next = 0;
  /** Processes killed by the run (not crashes): their exit is expected. */
  kills = 0;
  starts = 0;
  readonly unexpectedExits: string[] = [];

  private constructor(
    private readonly options: ServerFleetOptions,
    readonly ports: readonly number[],
  ) {
    this.children = ports.map(() => undefined);
  }

  /** Starts every process, the first alone (it applies the migrations to the fresh database). */
  static async start(options: ServerFleetOptions): Promise<ServerFleet> {
    const ports: number[] = [];
    for (let index = 0; index < options.processes; index += 1) ports.push(await freeTcpPort());
    const fleet = new ServerFleet(options, ports);
    for (let index = 0; index < options.processes; index += 1) await fleet.startProcess(index);
    return fleet;
  }

  get size(): number {
    return this.ports.length;
  }

  isUp(index: number): boolean {
    return this.children[index] !== undefined;
  }

  upCount(): number {
    return this.children.filter((child) => child !== undefined).length;
  }

  /** Spawns process `index` on its port and resolves once it answers /readyz. */
  async startProcess(index: number): Promise<void> {
    if (this.children[index] !== undefined) return;
    const port = this.ports[index]!;
    const name = `server-${index}`;
    const { database } = this.options;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['DATABASE_URL'];
    delete env['DATABASE_SCHEMA'];
    delete env['DATABASE_PATH'];
    delete env['LIMITS_FILE'];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/src/main.ts')], {
      cwd: root,
      env: {
        ...env,
        NODE_ENV: 'development',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'error',
        OPS_TOKEN: this.options.opsToken,
        // The run signs its shoppers up as the wallet app does, reading their texted codes from here.
        DEV_INBOX: 'on',
        // Every kiosk and till of the run comes from 127.0.0.1: the run is not a flood.
        HTTP_REQUESTS_PER_MINUTE: '100000000',
        ...(this.options.limitsFile !== undefined ? { LIMITS_FILE: this.options.limitsFile } : {}),
        ...(database.kind === 'sqlite'
          ? { DATABASE_PATH: database.path }
          : { DATABASE_URL: database.url, DATABASE_SCHEMA: database.schema }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children[index] = child;
    this.starts += 1;
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line.trim() !== '') this.options.log(`[${name}] ${line.slice(0, 4_000)}`);
      });
    child.once('exit', (code, signal) => {
      if (this.children[index] === child) {
        this.children[index] = undefined;
        this.unexpectedExits.push(`${name} exited by itself (code ${code}, signal ${signal})`);
      }
    });
    const ready = await waitUntilReady(`http://127.0.0.1:${port}/readyz`, serverReadyMsMax);
    if (!ready) throw new Error(`${name} did not become ready within ${serverReadyMsMax} ms`);
  }

  /** SIGKILL: the process dies at once, whatever it was doing. */
  async kill(index: number): Promise<void> {
    const child = this.children[index];
    if (child === undefined) return;
    this.children[index] = undefined;
    this.kills += 1;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }
    });
  }

  /** Stops every process with SIGTERM (SIGKILL after the grace period). */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (child, index) => {
        if (child === undefined) return;
        this.children[index] = undefined;
        await new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), serverStopGraceMs);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }),
    );
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body === null ? undefined : await request.arrayBuffer();
    const first = this.next % this.ports.length;
    this.next += 1;
    let lastError: unknown;
    for (let tried = 0; tried < this.ports.length; tried += 1) {
      const port = this.ports[(first + tried) % this.ports.length]!;
      try {
        return await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
          method: request.method,
          headers: request.headers,
          ...(body === undefined ? {} : { body }),
          signal: request.signal,
        });
      } catch (error) {
        // Only a refused connection is safe to send elsewhere: the request never reached a server.
        if (!refused(error)) throw error;
        lastError = error;
      }
    }
    throw lastError;
  };
}
