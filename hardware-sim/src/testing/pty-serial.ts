import type { Duplex } from 'node:stream';
import { parseDeviceUrl } from '@cashin/terminal-app/ports/device-url.js';
import { openStream } from '@cashin/terminal-app/ports/open-stream.js';
import { createPtyPair } from '../transport/pty-pair.js';

/**
 * Both ends of a socat pty pair, each opened through the real serialport binding by URL as the kiosk opens
 * its devices: the simulator attaches to `simEnd`, the driver under test talks on `kioskEnd`.
 */
export interface PtySerial {
  readonly simEnd: Duplex;
  readonly kioskEnd: Duplex;
  /** Runs `cleanup` on close, newest first, before the ends are destroyed (a driver closing). */
  defer(cleanup: () => Promise<void> | void): void;
  close(): Promise<void>;
}

async function openSerial(path: string): Promise<Duplex> {
  const url = parseDeviceUrl(`serial://${path}?baud=9600&parity=none`);
  if (!url.ok) throw new Error(url.problem);
  return openStream(url.url);
}

export async function openPtySerial(): Promise<PtySerial> {
  const pair = await createPtyPair();
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await pair.close();
  };
  try {
    const simEnd = await openSerial(pair.simPath);
    cleanups.push(() => void simEnd.destroy());
    const kioskEnd = await openSerial(pair.kioskPath);
    cleanups.push(() => void kioskEnd.destroy());
    return { simEnd, kioskEnd, defer: (cleanup) => cleanups.push(cleanup), close };
  } catch (error) {
    await close();
    throw error;
  }
}
