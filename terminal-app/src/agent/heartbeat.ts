import type { Clock, ErrorCode, HeartbeatRequest, HeartbeatResponse, TimerHandle } from '@cashin/shared';
import { HeartbeatResponseSchema, terminalApiPaths } from '@cashin/shared';
import type { CallResult, SignedClient } from '../sync/signed-client.js';

/**
 * Tells the server every interval that this kiosk is alive, with its device states, queue depth and bag
 * totals, so ops see a silent or faulted kiosk within minutes. A missed heartbeat is not retried: the next
 * one carries fresher news. The answer says whether ops have disabled the terminal and what they ask of it.
 */
export interface HeartbeatOptions {
  client: SignedClient;
  clock: Clock;
  intervalMs: number;
  collect: () => HeartbeatRequest;
  onAnswer: (answer: HeartbeatResponse) => void;
  /** The server refused the heartbeat with a code (an unknown terminal, a revoked key). */
  onRefused?: (code: ErrorCode) => void;
}

export class Heartbeat {
  private timer: TimerHandle | undefined;
  private stopped = true;

  constructor(private readonly options: HeartbeatOptions) {}

  start(): void {
    this.stopped = false;
    void this.beat();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends one heartbeat now; the loop uses it and so can a technician's "check connection". */
  async sendNow(): Promise<CallResult<HeartbeatResponse>> {
    const result = await this.options.client.post(
      terminalApiPaths.heartbeat,
      this.options.collect(),
      HeartbeatResponseSchema,
    );
    if (result.ok) this.options.onAnswer(result.value);
    else if (result.kind === 'refused') this.options.onRefused?.(result.code);
    return result;
  }

  private async beat(): Promise<void> {
    await this.sendNow();
    if (this.stopped) return;
    this.timer = this.options.clock.setTimeout(() => void this.beat(), this.options.intervalMs);
  }
}
