import type { Duplex } from 'node:stream';
import type { DeviceDiagnostics, DeviceEvent, DeviceStatus, SystemLimits } from '@cashin/shared';
import type { DeviceDriver } from '../common/driver.js';
import { DeviceEventHub } from '../common/event-hub.js';
import { scanEvent } from './scan-events.js';

export interface LineScannerOptions {
  readonly name: string;
  readonly stream: Duplex;
  readonly limits: SystemLimits;
}

/**
 * A serial or USB-CDC scanner (/dev/ttyACM0, or the simulator over TCP): one scan per line, ended by CR,
 * LF or both, with an AIM prefix when the scanner is set to send one. A line longer than
 * `scanTextCharsMax` is noise and is dropped whole, never cut into a wrong code.
 */
export class LineScanner implements DeviceDriver {
  readonly kind = 'scanner' as const;
  readonly name: string;
  private readonly hub: DeviceEventHub;
  private stream: Duplex;
  private line = '';
  private overlong = false;
  private closed = false;
  droppedLines = 0;
  private readonly onData = (chunk: Buffer): void => this.handle(chunk);

  constructor(private readonly options: LineScannerOptions) {
    this.name = options.name;
    this.hub = new DeviceEventHub(options.name, options.limits.deviceEventQueueMax);
    this.stream = options.stream;
  }

  start(): Promise<void> {
    this.stream.on('data', this.onData);
    this.hub.emit({ device: this.name, type: 'connected' });
    return Promise.resolve();
  }

  replaceStream(stream: Duplex): void {
    this.stream.off('data', this.onData);
    this.stream = stream;
    this.line = '';
    stream.on('data', this.onData);
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
      detail: `${this.droppedLines} over-long lines dropped`,
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.stream.off('data', this.onData);
    this.hub.close();
    return Promise.resolve();
  }

  private handle(chunk: Buffer): void {
    for (const char of chunk.toString('latin1')) {
      if (char === '\r' || char === '\n') {
        if (this.overlong) this.droppedLines += 1;
        else if (this.line.length > 0) {
          const event = scanEvent(this.name, this.line, this.options.limits.scanTextCharsMax);
          if (event) this.hub.emit(event);
        }
        this.line = '';
        this.overlong = false;
        continue;
      }
      if (this.overlong) continue;
      this.line += char;
      // The AIM prefix (3 characters) does not count towards the text limit.
      if (this.line.length > this.options.limits.scanTextCharsMax + 3) {
        this.overlong = true;
        this.line = '';
      }
    }
  }
}
