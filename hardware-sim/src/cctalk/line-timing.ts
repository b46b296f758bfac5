/**
 * How long bytes take on a UART line. 8N1 sends 10 bits per byte (start, 8 data, stop), so 9600 baud is
 * 960 bytes/s, about 1.04 ms a byte. A pty or TCP ignores baud, so the simulator waits this long itself.
 */
export const bitsPerByte8N1 = 10;
export const defaultBaud = 9600;

export function lineTimeMs(byteCount: number, baud = defaultBaud): number {
  return (byteCount * bitsPerByte8N1 * 1000) / baud;
}
