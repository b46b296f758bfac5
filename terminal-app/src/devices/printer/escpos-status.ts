/**
 * ESC/POS real-time status (DLE EOT n). The host sends `10 04 n`; the printer answers one byte at once,
 * even while it is offline or out of paper. Every status byte has bit 1 set and bits 0, 4 and 7 clear
 * (`0xx1xx10`), which lets the host tell a status byte from noise.
 */
export const dleEot = [0x10, 0x04] as const;

export const statusRequest = {
  printer: 1,
  offlineCause: 2,
  errorCause: 3,
  paperSensor: 4,
} as const;

const fixedMask = 0b1001_0011;
const fixedBits = 0b0001_0010;

/** DLE EOT 2, bit 2: the cover is open. Bit 5: printing stopped because the paper ran out. */
export const coverOpenBit = 0x04;
export const stoppedByPaperEndBit = 0x20;
/** DLE EOT 4, bits 5 and 6: the roll paper end sensor sees no paper. Bits 2-3: paper near its end. */
export const paperEndBits = 0x60;
export const paperNearEndBits = 0x0c;

export function isStatusByte(byte: number): boolean {
  return (byte & fixedMask) === fixedBits;
}

/** A status byte with the given variable bits set. */
export function statusByte(bits: number): number {
  return fixedBits | (bits & ~fixedMask & 0xff);
}

export interface PrinterCondition {
  readonly coverOpen: boolean;
  readonly paperOut: boolean;
  readonly paperNearEnd: boolean;
}
