import type { Duplex } from 'node:stream';

/**
 * A driver's end of its byte pipe. When the port reconnects the driver keeps its state and moves here onto
 * the new stream, coming off the old one, so a dead pipe can never feed it a second copy of anything.
 */
export class DriverStream<Chunk> {
  constructor(
    private stream: Duplex,
    private readonly onData: (chunk: Chunk) => void,
  ) {}

  listen(): void {
    this.stream.on('data', this.onData);
  }

  replaceStream(stream: Duplex): void {
    this.stream.off('data', this.onData);
    this.stream = stream;
    stream.on('data', this.onData);
  }

  write(chunk: Uint8Array, done?: (error: Error | null | undefined) => void): void {
    this.stream.write(chunk, done);
  }

  stop(): void {
    this.stream.off('data', this.onData);
  }
}
