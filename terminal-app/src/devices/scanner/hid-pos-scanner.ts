import type { Duplex } from 'node:stream';
import type { DeviceDiagnostics, SystemLimits } from '@cashin/shared';
import { DriverScaffold } from '../common/driver-scaffold.js';
import { DriverStream } from '../common/driver-stream.js';
import { HidPosAssembler } from './hid-pos-report.js';
import { scanEvent } from './scan-events.js';

export interface HidPosScannerOptions {
  readonly name: string;
  /** An object-mode stream of input reports (report id first), as `ports/` opens `hid://vvvv:pppp`. */
  readonly stream: Duplex;
  readonly limits: SystemLimits;
}

/** Honeywell scanners enter HID POS mode on feature report 0xFE [0x01]; ports/ sends it when it opens one. */
export const honeywellHidPosModeFeatureReport = [0xfe, 0x01] as const;

/** A HID POS scanner: joins multi-report scans and yields one `scan` event per code. */
export class HidPosScanner extends DriverScaffold {
  readonly kind = 'scanner' as const;
  private readonly assembler: HidPosAssembler;
  ignoredReports = 0;
  private readonly input: DriverStream<Uint8Array>;

  constructor(private readonly options: HidPosScannerOptions) {
    super(options.name, options.limits);
    this.input = new DriverStream(options.stream, (chunk: Uint8Array) => this.handle(chunk));
    this.assembler = new HidPosAssembler(options.limits.hidPosReportsPerScanMax);
  }

  start(): Promise<void> {
    this.input.listen();
    this.emit({ device: this.name, type: 'connected' });
    return Promise.resolve();
  }

  replaceStream(stream: Duplex): void {
    this.input.replaceStream(stream);
  }

  selfTest(): Promise<DeviceDiagnostics> {
    return this.passiveSelfTest(`${this.ignoredReports} reports ignored`);
  }

  close(): Promise<void> {
    this.input.stop();
    this.finishClose();
    return Promise.resolve();
  }

  private handle(report: Uint8Array): void {
    const result = this.assembler.push(report);
    if (result.kind === 'ignored') this.ignoredReports += 1;
    if (result.kind !== 'scan') return;
    const event = scanEvent(this.name, result.raw, this.options.limits.scanTextCharsMax);
    if (event) this.emit(event);
  }
}
