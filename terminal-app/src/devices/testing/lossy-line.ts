import type { Duplex } from 'node:stream';
import { duplexPair } from '../common/duplex-pair.js';

/** A ccTalk frame the host put on the line, as the lossy line sees it. */
export interface HostFrame {
  readonly dest: number;
  readonly header: number;
}

/**
 * A ccTalk line between the kiosk and a simulated device that loses the host's frames `lose` picks, as
 * noise on a real bus does: the device never hears such a frame, so it neither echoes nor answers it.
 * Everything the device says reaches the kiosk as it is. Frames are cut by their length byte (both
 * checksum modes put it second, and a frame is `length + 5` bytes); the host never sends anything else.
 */
export function lossyLine(lose: (frame: HostFrame) => boolean): { kioskEnd: Duplex; deviceEnd: Duplex } {
  const [kioskEnd, towardDevice] = duplexPair();
  const [fromKiosk, deviceEnd] = duplexPair();
  let pending = Buffer.alloc(0);
  towardDevice.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const size = (pending[1] ?? 0) + 5;
      if (pending.length < size) break;
      const frame = pending.subarray(0, size);
      pending = pending.subarray(size);
      if (!lose({ dest: frame[0] ?? 0, header: frame[3] ?? 0 })) fromKiosk.write(frame);
    }
  });
  fromKiosk.on('data', (chunk: Buffer) => towardDevice.write(chunk));
  return { kioskEnd, deviceEnd };
}
