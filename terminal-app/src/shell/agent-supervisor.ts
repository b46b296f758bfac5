import type { Clock, TimerHandle } from '@cashin/shared';

/**
 * Keeps the terminal agent running. The agent owns the devices and the journal; when it dies (a crash, an
 * impossible state it refused to continue from), it is restarted, and on start-up it recovers any open
 * deposit from its journal. Restarts back off exponentially so a crash loop does not spin the CPU, and the
 * backoff resets once the agent has stayed up for a while.
 */
export interface AgentProcess {
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface AgentSupervisorOptions {
  spawnAgent: () => AgentProcess;
  clock: Clock;
  restartBackoffMsMin: number;
  restartBackoffMsMax: number;
  /** An agent that ran this long is considered healthy again: the next crash restarts it at once. */
  stableRunMs: number;
  /** How long a stopping agent gets to close its journal before it is killed. */
  stopGraceMs: number;
  onEvent?: (event: AgentSupervisorEvent) => void;
}

export type AgentSupervisorEvent =
  | { type: 'started'; attempt: number }
  | { type: 'exited'; code: number | null; signal: string | null; restartInMs: number }
  | { type: 'stopped' };

/** min * 2^failures, capped at max: 0 failures -> min. */
export function restartDelayMs(consecutiveFailures: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(consecutiveFailures, 30));
}

export class AgentSupervisor {
  private current: AgentProcess | undefined;
  private startedAtMs = 0;
  private consecutiveFailures = 0;
  private attempts = 0;
  private restartTimer: TimerHandle | undefined;
  private stopping = false;

  constructor(private readonly options: AgentSupervisorOptions) {}

  start(): void {
    this.stopping = false;
    this.launch();
  }

  get isRunning(): boolean {
    return this.current !== undefined;
  }

  get restarts(): number {
    return Math.max(0, this.attempts - 1);
  }

  private launch(): void {
    const { clock, onEvent } = this.options;
    this.restartTimer = undefined;
    this.attempts += 1;
    this.startedAtMs = clock.nowMs();
    const agent = this.options.spawnAgent();
    this.current = agent;
    onEvent?.({ type: 'started', attempt: this.attempts });
    agent.onExit((code, signal) => {
      if (this.current === agent) this.current = undefined;
      if (this.stopping) return;
      const ranMs = clock.nowMs() - this.startedAtMs;
      if (ranMs >= this.options.stableRunMs) this.consecutiveFailures = 0;
      const delayMs = restartDelayMs(
        this.consecutiveFailures,
        this.options.restartBackoffMsMin,
        this.options.restartBackoffMsMax,
      );
      this.consecutiveFailures += 1;
      onEvent?.({ type: 'exited', code, signal, restartInMs: delayMs });
      this.restartTimer = clock.setTimeout(() => this.launch(), delayMs);
    });
  }

  /** Stops the agent: SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) this.options.clock.clearTimeout(this.restartTimer);
    const agent = this.current;
    if (!agent) {
      this.options.onEvent?.({ type: 'stopped' });
      return;
    }
    await new Promise<void>((resolve) => {
      const kill = this.options.clock.setTimeout(() => agent.kill('SIGKILL'), this.options.stopGraceMs);
      agent.onExit(() => {
        this.options.clock.clearTimeout(kill);
        resolve();
      });
      agent.kill('SIGTERM');
    });
    this.current = undefined;
    this.options.onEvent?.({ type: 'stopped' });
  }
}
