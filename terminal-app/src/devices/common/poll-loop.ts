import type { Clock, TimerHandle } from '@cashin/shared';

/**
 * Runs `poll` every `intervalMs` on the injected clock, start to start, never overlapping: a poll that
 * overruns its slot is followed at once by the next, so a slow device stretches the interval rather than
 * stacking requests, and a fast one is polled at exactly the configured rate (the acceptor's 5-event
 * buffer is sized against that rate). The interval can change while it runs (an acceptor polled faster
 * while it takes money).
 * A poll that throws is a programmer error and stops the loop via `onCrash`.
 */
export class PollLoop {
  private timer: TimerHandle | undefined;
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  /** When the last poll started; a new interval counts from there. */
  private lastStartedMs: number | undefined;

  constructor(
    private readonly clock: Clock,
    private intervalMs: number,
    private readonly poll: () => Promise<void>,
    private readonly onCrash: (error: unknown) => void,
  ) {}

  get currentIntervalMs(): number {
    return this.intervalMs;
  }

  /**
   * Polls every `intervalMs` from now on. A poll already waiting for its slot is moved to the new slot
   * (counted from the last poll's start), so a shorter interval takes effect at once, not after the
   * longer wait already scheduled; a poll in progress is left to finish.
   */
  setIntervalMs(intervalMs: number): void {
    if (intervalMs === this.intervalMs) return;
    this.intervalMs = intervalMs;
    if (!this.running || this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule(this.lastStartedMs);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops scheduling and resolves once a poll in progress has finished. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle;
  }

  private schedule(startedMs?: number): void {
    if (!this.running) return;
    const elapsedMs = startedMs === undefined ? 0 : this.clock.nowMs() - startedMs;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        const pollStartedMs = this.clock.nowMs();
        this.lastStartedMs = pollStartedMs;
        this.idle = this.poll().then(
          () => this.schedule(pollStartedMs),
          (error: unknown) => {
            this.running = false;
            this.onCrash(error);
          },
        );
      },
      Math.max(0, this.intervalMs - elapsedMs),
    );
  }
}

/**
 * A poll loop that crashes loudly: a throw inside a poll is a bug in the driver, and a driver that stopped
 * counting quietly would lose money, so the error is rethrown outside any promise chain.
 */
export function crashingPollLoop(clock: Clock, intervalMs: number, poll: () => Promise<void>): PollLoop {
  return new PollLoop(clock, intervalMs, poll, (error) =>
    queueMicrotask(() => {
      throw error;
    }),
  );
}
