import type { Clock } from '@cashin/shared';

/**
 * Decides what to do when the kiosk renderer crashes or hangs: reload it, unless it has crashed too often
 * in a short time, in which case reloading would only loop and the shell shows its built-in out-of-service
 * page instead. Counted money is never at stake here: it lives in the agent, not in the window.
 */
export class RendererWatchdog {
  private crashesMs: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly reloadsPerWindowMax: number,
    private readonly windowMs: number,
  ) {}

  onRendererGone(): 'reload' | 'outOfService' {
    const nowMs = this.clock.nowMs();
    this.crashesMs = this.crashesMs.filter((atMs) => nowMs - atMs < this.windowMs);
    this.crashesMs.push(nowMs);
    return this.crashesMs.length <= this.reloadsPerWindowMax ? 'reload' : 'outOfService';
  }
}
