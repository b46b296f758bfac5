import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Runs the parts of the system as child processes for `npm start`: each child's output is prefixed with
 * its name, a child that dies unexpectedly stops the whole system (a half-running network would hide the
 * failure), and stop() ends every child with SIGTERM, then SIGKILL after a grace period.
 */
export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Give the child this process's terminal for input (the simulator's prompt); otherwise none. */
  stdin?: 'inherit' | 'ignore';
}

export const stopGraceMs = 10_000;

export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(
    private readonly onUnexpectedExit: (name: string, code: number | null, signal: string | null) => void,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  start(spec: ChildSpec): ChildProcess {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: [spec.stdin ?? 'ignore', 'pipe', 'pipe'],
    });
    this.children.set(spec.name, child);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.write(`[${spec.name}] ${line}`));
    }
    child.on('exit', (code, signal) => {
      this.children.delete(spec.name);
      if (!this.stopping) this.onUnexpectedExit(spec.name, code, signal);
    });
    return child;
  }

  get running(): string[] {
    return [...this.children.keys()];
  }

  /** Stops every child, newest first, and resolves when all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    const exits = [...this.children.entries()].reverse().map(
      ([, child]) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          const kill = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  }
}

/** Polls `url` until it answers 2xx, or gives up after `timeoutMs`. */
export async function waitUntilReady(url: string, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}
