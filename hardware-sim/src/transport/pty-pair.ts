import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A pair of connected pseudo-terminals made by socat: the kiosk opens `kioskPath` as if it were
 * /dev/ttyUSB0, the simulator opens `simPath`. A pty ignores the baud rate, so the simulator paces its
 * own bytes (see line-timing.ts).
 */
export interface PtyPair {
  readonly kioskPath: string;
  readonly simPath: string;
  close(): Promise<void>;
}

export const socatPath = '/usr/bin/socat';

export async function createPtyPair(): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'cashin-pty-'));
  const kioskPath = join(dir, 'ttyA');
  const simPath = join(dir, 'ttyB');
  const child = spawn(
    socatPath,
    ['-d', '-d', `pty,raw,echo=0,link=${kioskPath}`, `pty,raw,echo=0,link=${simPath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await readyOrExit(child);
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    await rm(dir, { recursive: true, force: true });
  };
  return { kioskPath, simPath, close };
}

/** socat says "starting data transfer loop" once both ptys and their links exist. */
function readyOrExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = '';
    const onData = (chunk: Buffer): void => {
      said += chunk.toString();
      if (said.includes('starting data transfer loop')) {
        child.stderr?.off('data', onData);
        // Keep draining stderr so socat never blocks on a full pipe.
        child.stderr?.resume();
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`socat exited (${code}): ${said.slice(-300)}`)));
  });
}
