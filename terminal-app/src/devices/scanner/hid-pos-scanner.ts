import type { Duplex } from 'node:stream';
import type { DeviceDiagnostics, DeviceEvent, DeviceStatus, SystemLimits } from '@cashin/shared';
import type { DeviceDriver } from '../common/driver.js';
import { DeviceEventHub } from '../common/event-hub.js';
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
export class HidPosScanner implements DeviceDriver {
  readonly kind = 'scanner' as const;
  readonly name: string;
  private readonly hub: DeviceEventHub;
  private readonly assembler: HidPosAssembler;
  private stream: Duplex;
  private closed = false;
  ignoredReports = 0;
  private readonly onReport = (report: Uint8Array): void => this.handle(report);

  constructor(private readonly options: HidPosScannerOptions) {
    this.name = options.name;
    this.stream = options.stream;
    this.hub = new DeviceEventHub(options.name, options.limits.deviceEventQueueMax);
    this.assembler = new HidPosAssembler(options.limits.hidPosReportsPerScanMax);
  }

  start(): Promise<void> {
    this.stream.on('data', this.onReport);
    this.hub.emit({ device: this.name, type: 'connected' });
    return Promise.resolve();
  }

  replaceStream(stream: Duplex): void {
    this.stream.off('data', this.onReport);
    this.stream = stream;
    stream.on('data', this.onReport);
  }

  subscribe(listener: (event: DeviceEvent) => void): () => void {
    return this.hub.subscribe(listener);
  }

  events(signal?: AbortSignal): AsyncIterable<DeviceEvent> {
    return this.hub.iterate(signal);
  }

  status(): DeviceStatus {
    return { device: this.name, kind: this.kind, state: this.closed ? 'disconnected' : 'ok', faults: [] };
  }

  selfTest(): Promise<DeviceDiagnostics> {
    return Promise.resolve({
      device: this.name,
      kind: this.kind,
      channels: [],
      ok: !this.closed,
      detail: `${this.ignoredReports} reports ignored`,
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.stream.off('data', this.onReport);
    this.hub.close();
    return Promise.resolve();
  }

  private handle(report: Uint8Array): void {
    const result = this.assembler.push(report);
    if (result.kind === 'ignored') this.ignoredReports += 1;
    if (result.kind !== 'scan') return;
    const event = scanEvent(this.name, result.raw, this.options.limits.scanTextCharsMax);
    if (event) this.hub.emit(event);
  }
}
