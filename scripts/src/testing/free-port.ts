import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';

/**
 * A loopback TCP port nobody listens on now: the kernel's pick, released at once. For a process or a
 * device that must be told its port before it starts (a server child, a simulator that appears later).
 */
export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
