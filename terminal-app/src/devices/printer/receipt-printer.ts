import type { Duplex } from 'node:stream';
import type {
  Clock,
  DeviceDiagnostics,
  DeviceFault,
  PrintJob,
  SystemLimits,
  TimerHandle,
} from '@cashin/shared';
import { DriverScaffold } from '../common/driver-scaffold.js';
import { DriverStream } from '../common/driver-stream.js';
import type { PollLoop } from '../common/poll-loop.js';
import { crashingPollLoop } from '../common/poll-loop.js';
import { encodeJob, receiptColumnsDefault } from './encode-job.js';
import type { PrinterCondition } from './escpos-status.js';
import {
  coverOpenBit,
  dleEot,
  isStatusByte,
  paperEndBits,
  paperNearEndBits,
  statusRequest,
  stoppedByPaperEndBit,
} from './escpos-status.js';

export interface ReceiptPrinterOptions {
  readonly name: string;
  readonly stream: Duplex;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  readonly columns?: number;
}

export type PrintResult =
  { ok: true; bytes: number } | { ok: false; reason: 'paperOut' | 'coverOpen' | 'noStatus' };

/** What stops the printer printing, in the fault words the screens translate (a paper near end does not). */
function conditionFaults(condition: PrinterCondition): DeviceFault[] {
  const faults: DeviceFault[] = [];
  if (condition.coverOpen) faults.push('coverOpen');
  if (condition.paperOut) faults.push('paperOut');
  return faults;
}

interface PendingStatus {
  readonly resolve: (byte: number | undefined) => void;
  readonly timer: TimerHandle;
}

/**
 * An ESC/POS receipt printer over serial, TCP 9100 or usblp. `print(job)` checks paper and cover first
 * (DLE EOT real-time status), then sends the job; a printer that cannot print says why as a value, and
 * the same condition is raised as a `paperOut` / `coverOpen` fault, found also by an idle status poll.
 */
export class ReceiptPrinter extends DriverScaffold {
  readonly kind = 'printer' as const;
  private readonly loop: PollLoop;
  private readonly pending: PendingStatus[] = [];
  private readonly line: DriverStream<Buffer>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ReceiptPrinterOptions) {
    super(options.name, options.limits);
    this.line = new DriverStream(options.stream, (chunk: Buffer) => this.handleBytes(chunk));
    this.line.listen();
    this.loop = crashingPollLoop(options.clock, options.limits.printerStatusPollIntervalMs, async () => {
      await this.condition();
    });
  }

  async start(): Promise<void> {
    await this.condition();
    this.emit({ device: this.name, type: 'connected' });
    this.loop.start();
  }

  replaceStream(stream: Duplex): void {
    this.line.replaceStream(stream);
  }

  /** Paper and cover as the printer reports them now; undefined if it did not answer. */
  condition(): Promise<PrinterCondition | undefined> {
    return this.serial(async () => {
      const offline = await this.askStatus(statusRequest.offlineCause);
      const paper = await this.askStatus(statusRequest.paperSensor);
      if (offline === undefined || paper === undefined) {
        this.faults.raise('protocolError', 'no status reply');
        return undefined;
      }
      this.faults.clear('protocolError');
      const condition: PrinterCondition = {
        coverOpen: (offline & coverOpenBit) !== 0,
        paperOut: (paper & paperEndBits) !== 0 || (offline & stoppedByPaperEndBit) !== 0,
        paperNearEnd: (paper & paperNearEndBits) !== 0,
      };
      if (condition.coverOpen) this.faults.raise('coverOpen');
      else this.faults.clear('coverOpen');
      if (condition.paperOut) this.faults.raise('paperOut');
      else this.faults.clear('paperOut');
      return condition;
    });
  }

  async print(job: PrintJob): Promise<PrintResult> {
    const bytes = encodeJob(job, this.options.columns ?? receiptColumnsDefault);
    const condition = await this.condition();
    if (!condition) return { ok: false, reason: 'noStatus' };
    if (condition.paperOut) return { ok: false, reason: 'paperOut' };
    if (condition.coverOpen) return { ok: false, reason: 'coverOpen' };
    return this.serial(
      () =>
        new Promise<PrintResult>((resolve, reject) => {
          this.line.write(Buffer.from(bytes), (error) =>
            error ? reject(error) : resolve({ ok: true, bytes: bytes.length }),
          );
        }),
    );
  }

  async selfTest(): Promise<DeviceDiagnostics> {
    const condition = await this.condition();
    return {
      device: this.name,
      kind: this.kind,
      channels: [],
      ok: condition !== undefined && !condition.coverOpen && !condition.paperOut,
      answered: condition !== undefined,
      faults: condition ? conditionFaults(condition) : [],
      ...(condition
        ? {
            detail: `cover ${condition.coverOpen ? 'open' : 'closed'}, paper ${
              condition.paperOut ? 'out' : condition.paperNearEnd ? 'near end' : 'ok'
            }`,
          }
        : { detail: 'no status reply' }),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.loop.stop();
    await this.queue;
    this.line.stop();
    this.finishClose();
  }

  /** One conversation with the printer at a time: status replies are matched by order. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private askStatus(n: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimeout(() => {
        const index = this.pending.findIndex((p) => p.timer === timer);
        if (index >= 0) this.pending.splice(index, 1);
        resolve(undefined);
      }, this.options.limits.printerStatusTimeoutMs);
      this.pending.push({ resolve, timer });
      this.line.write(Buffer.from([...dleEot, n]));
    });
  }

  private handleBytes(chunk: Buffer): void {
    for (const byte of chunk) {
      if (!isStatusByte(byte)) continue;
      const pending = this.pending.shift();
      if (!pending) continue;
      this.options.clock.clearTimeout(pending.timer);
      pending.resolve(byte);
    }
  }
}
