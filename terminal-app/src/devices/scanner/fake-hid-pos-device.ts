import { Duplex } from 'node:stream';

/**
 * FAKE HID device. This machine's kernel has no uhid, so no virtual /dev/hidraw can be made; tests and
 * the simulator replay recorded (or constructed) input reports through this stand-in instead. It has the
 * shape `ports/` gives a real HID POS scanner: an object-mode Duplex, one input report per chunk, report
 * id first. Output reports written to it are kept in `written` so a test can check what the host sent.
 */
export class FakeHidPosDevice extends Duplex {
  readonly written: Uint8Array[] = [];

  constructor() {
    super({ objectMode: true });
  }

  /** The scanner sends these reports, in order. */
  replay(reports: readonly Uint8Array[]): void {
    for (const report of reports) this.push(Buffer.from(report));
  }

  override _read(): void {
    // Reports are pushed by replay().
  }

  override _write(
    report: Uint8Array,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.written.push(report);
    callback();
  }
}
