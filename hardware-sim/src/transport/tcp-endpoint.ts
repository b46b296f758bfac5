import type { Duplex } from 'node:stream';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createServer } from 'node:net';

/**
 * Serves one simulated device on a TCP port, as ser2net serves a serial port: the newest connection owns
 * the device (a kiosk that reconnects takes over from its dead socket). `unplug` drops the connection, so
 * the kiosk sees exactly what a yanked USB-serial adapter behind ser2net looks like.
 */
export class TcpEndpoint {
  private socket: Socket | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async listen(
    port: number,
    attach: (stream: Duplex) => void,
    host = '127.0.0.1',
  ): Promise<TcpEndpoint> {
    const holder: { endpoint?: TcpEndpoint } = {};
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      const endpoint = holder.endpoint;
      endpoint?.socket?.destroy();
      if (endpoint) endpoint.socket = socket;
      socket.on('error', () => socket.destroy());
      attach(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const endpoint = new TcpEndpoint(server, (server.address() as AddressInfo).port);
    holder.endpoint = endpoint;
    return endpoint;
  }

  get url(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  unplug(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  async close(): Promise<void> {
    this.unplug();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
