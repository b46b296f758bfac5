import type { Duplex } from 'node:stream';
import type { DeviceDiagnostics, SystemLimits } from '@cashin/shared';
import { DriverScaffold } from '../common/driver-scaffold.js';
import { DriverStream } from '../common/driver-stream.js';
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
export class LineScanner extends DriverScaffold {
  readonly kind = 'scanner' as const;
  private line = '';
  private overlong = false;
  droppedLines = 0;
  private readonly input: DriverStream<Buffer>;

  constructor(private readonly options: LineScannerOptions) {
    super(options.name, options.limits);
    this.input = new DriverStream(options.stream, (chunk: Buffer) => this.handle(chunk));
  }

  start(): Promise<void> {
    this.input.listen();
    this.emit({ device: this.name, type: 'connected' });
    return Promise.resolve();
  }

  replaceStream(stream: Duplex): void {
    this.line = '';
    this.input.replaceStream(stream);
  }

  selfTest(): Promise<DeviceDiagnostics> {
    return this.passiveSelfTest(`${this.droppedLines} over-long lines dropped`);
  }

  close(): Promise<void> {
    this.input.stop();
    this.finishClose();
    return Promise.resolve();
  }

  private handle(chunk: Buffer): void {
    for (const char of chunk.toString('latin1')) {
      if (char === '\r' || char === '\n') {
        if (this.overlong) this.droppedLines += 1;
        else if (this.line.length > 0) {
          const event = scanEvent(this.name, this.line, this.options.limits.scanTextCharsMax);
          if (event) this.emit(event);
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
