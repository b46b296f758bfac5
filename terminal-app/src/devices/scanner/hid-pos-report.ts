/**
 * HID POS barcode scanner input reports (usage page 0x8C, Scanned Data Report), laid out as Honeywell,
 * Zebra and Datalogic send them (per WebHidBarcodeScanner): report id 2, then a 63-byte payload:
 *
 *   payload[0]      bytes of scan data in this report
 *   payload[1..3]   AIM symbology id (']C0'), or zeros
 *   payload[4..]    scan data
 *   payload[60]     vendor symbology code (Honeywell)
 *   payload[62]     non-zero: more reports of this scan follow
 *
 * hidraw delivers the report id as the first byte, so a report here is `[0x02, ...payload]`.
 */
export const hidPosUsagePage = 0x8c;
export const hidPosScannedDataReportId = 0x02;
export const hidPosPayloadBytes = 63;
export const hidPosDataOffset = 4;
export const hidPosDataBytesMax = 56;
const moreFollowsOffset = 62;

export type HidPosReportResult =
  | { kind: 'partial' }
  | { kind: 'scan'; raw: string }
  | { kind: 'ignored'; why: 'notScannedData' | 'badLength' | 'tooManyReports' };

/**
 * Joins the reports of one scan. Pure: reports in, one raw scan ("]C0" + data) out when the last report
 * of the scan arrives. A train longer than `reportsMax` is dropped whole.
 */
export class HidPosAssembler {
  private parts: string[] = [];
  private aim = '';
  private dropping = false;

  constructor(private readonly reportsMax: number) {}

  push(report: Uint8Array): HidPosReportResult {
    if (report[0] !== hidPosScannedDataReportId) return { kind: 'ignored', why: 'notScannedData' };
    const payload = report.subarray(1);
    const length = payload[0] ?? 0;
    if (length > hidPosDataBytesMax || payload.length < hidPosDataOffset + length) {
      this.reset();
      return { kind: 'ignored', why: 'badLength' };
    }
    const moreFollows = (payload[moreFollowsOffset] ?? 0) !== 0;
    if (this.parts.length === 0 && !this.dropping) this.aim = aimOf(payload);
    if (!this.dropping) {
      this.parts.push(
        Buffer.from(payload.subarray(hidPosDataOffset, hidPosDataOffset + length)).toString('latin1'),
      );
    }
    if (this.parts.length > this.reportsMax) {
      this.parts = [];
      this.dropping = true;
    }
    if (moreFollows) return { kind: 'partial' };
    if (this.dropping) {
      this.reset();
      return { kind: 'ignored', why: 'tooManyReports' };
    }
    const raw = this.aim + this.parts.join('');
    this.reset();
    return { kind: 'scan', raw };
  }

  private reset(): void {
    this.parts = [];
    this.aim = '';
    this.dropping = false;
  }
}

/** The AIM id in bytes 1..3 when it is one (']' first); some scanners shift it to start at byte 2. */
function aimOf(payload: Uint8Array): string {
  for (const start of [1, 2]) {
    if (payload[start] === 0x5d) {
      const id = Buffer.from(payload.subarray(start, start + 3)).toString('latin1');
      if (/^\][A-Za-z][0-9A-Za-z]$/.test(id)) return id;
    }
  }
  return '';
}

/** Builds the report train a scanner sends for `raw` (AIM id first, if any): for the fake device and tests. */
export function hidPosReportsFor(raw: string, vendorSymbologyCode = 0x6a): Uint8Array[] {
  const aim = /^\][A-Za-z][0-9A-Za-z]/.test(raw) ? raw.slice(0, 3) : '';
  const data = Buffer.from(raw.slice(aim.length), 'latin1');
  const reports: Uint8Array[] = [];
  for (let at = 0; at < data.length || reports.length === 0; at += hidPosDataBytesMax) {
    const chunk = data.subarray(at, at + hidPosDataBytesMax);
    const report = new Uint8Array(1 + hidPosPayloadBytes);
    report[0] = hidPosScannedDataReportId;
    report[1] = chunk.length;
    report.set(Buffer.from(aim.padEnd(3, '\0'), 'latin1'), 2);
    report.set(chunk, 1 + hidPosDataOffset);
    report[1 + 60] = vendorSymbologyCode;
    report[1 + moreFollowsOffset] = at + hidPosDataBytesMax < data.length ? 1 : 0;
    reports.push(report);
  }
  return reports;
}
