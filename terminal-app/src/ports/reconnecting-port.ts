import type { Duplex } from 'node:stream';
import type { Clock, DeviceEvent, TimerHandle } from '@cashin/shared';
import type { DeviceUrl } from './device-url.js';
import { openStream } from './open-stream.js';

export interface ReconnectingPortOptions {
  readonly device: string;
  readonly url: DeviceUrl;
  readonly clock: Clock;
  readonly backoffMsMin: number;
  readonly backoffMsMax: number;
  /** Opens the pipe; the real opener by default, injectable so a test can open anything. */
  readonly open?: (url: DeviceUrl) => Promise<Duplex>;
}

export interface ReconnectingPortHandlers {
  /** A fresh pipe after a (re)connect; the driver moves onto it. */
  onStream(stream: Duplex, isReconnect: boolean): void;
  /** `connected` and `disconnected`, for the driver's event stream. */
  onEvent(event: DeviceEvent): void;
}

/**
 * Keeps a device's pipe open: opens it, and when it closes or fails (unplugged, ser2net restarted) says so
 * and tries again with exponential backoff between `backoffMsMin` and `backoffMsMax` on the injected clock.
 */
export class ReconnectingPort {
  private stream: Duplex | undefined;
  private timer: TimerHandle | undefined;
  private backoffMs: number;
  private closed = false;
  private everConnected = false;

  constructor(
    private readonly options: ReconnectingPortOptions,
    private readonly handlers: ReconnectingPortHandlers,
  ) {
    this.backoffMs = options.backoffMsMin;
  }

  /** Resolves with the first pipe, or rejects if the first open fails (a misconfigured kiosk). */
  async start(): Promise<Duplex> {
    const stream = await this.openOnce();
    return stream;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    const stream = this.stream;
    this.stream = undefined;
    if (stream && !stream.destroyed) {
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.destroy();
      });
    }
  }

  private async openOnce(): Promise<Duplex> {
    const open = this.options.open ?? openStream;
    const stream = await open(this.options.url);
    if (this.closed) {
      stream.destroy();
      throw new Error('port closed while opening');
    }
    this.stream = stream;
    this.backoffMs = this.options.backoffMsMin;
    const isReconnect = this.everConnected;
    this.everConnected = true;
    let lost = false;
    const onLost = (detail: string): void => {
      if (lost || this.closed) return;
      lost = true;
      this.stream = undefined;
      this.handlers.onEvent({ device: this.options.device, type: 'disconnected', detail });
      this.scheduleRetry();
    };
    stream.once('close', () => onLost('closed'));
    stream.once('end', () => onLost('ended'));
    stream.on('error', (error: Error) => onLost(error.message.slice(0, 200)));
    this.handlers.onEvent({ device: this.options.device, type: 'connected' });
    this.handlers.onStream(stream, isReconnect);
    return stream;
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    const delayMs = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.backoffMsMax);
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      this.openOnce().catch(() => this.scheduleRetry());
    }, delayMs);
  }
}
