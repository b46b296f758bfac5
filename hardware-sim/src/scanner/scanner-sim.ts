import type { Duplex } from 'node:stream';
import type { Clock } from '@cashin/shared';
import { aimPrefixFor } from '@cashin/shared';
import { lineTimeMs } from '../cctalk/line-timing.js';

/**
 * A serial / USB-CDC barcode scanner: each scan is one line, AIM prefix first (scanners are set to send
 * it), ended by CR LF. Paced at the line's baud rate like the other simulated devices.
 */
export class ScannerSim {
  private stream: Duplex | undefined;
  readonly scanned: string[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly baud: number | undefined = 9600,
  ) {}

  attach(stream: Duplex): void {
    this.stream = stream;
    // A scanner reads nothing from the host; drain so the pipe never fills.
    stream.resume();
  }

  /** Scans `text` as `symbology` (code128 by default); resolves when the last byte is on the line. */
  scan(text: string, symbology = 'code128'): Promise<void> {
    const line = Buffer.from(`${aimPrefixFor(symbology)}${text}\r\n`, 'latin1');
    this.scanned.push(text);
    const stream = this.stream;
    const delayMs = this.baud === undefined ? 0 : lineTimeMs(line.length, this.baud);
    return new Promise((resolve) => {
      this.clock.setTimeout(() => {
        if (stream && !stream.destroyed) stream.write(line);
        resolve();
      }, delayMs);
    });
  }
}
