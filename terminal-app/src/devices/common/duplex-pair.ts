import { Duplex } from 'node:stream';

/**
 * Two connected in-memory byte streams: what one end writes, the other reads. The unit-test stand-in for
 * a serial line, a pty pair or a TCP connection (the integration tests use those for real).
 */
export function duplexPair(): [Duplex, Duplex] {
  const ends: { left?: Duplex; right?: Duplex } = {};
  const make = (peer: () => Duplex | undefined): Duplex =>
    new Duplex({
      read() {
        // Data is pushed by the peer's writes; nothing to pull.
      },
      write(chunk: Buffer, _encoding, callback) {
        peer()?.push(Buffer.from(chunk));
        callback();
      },
      final(callback) {
        peer()?.push(null);
        callback();
      },
    });
  const left = make(() => ends.right);
  const right = make(() => ends.left);
  ends.left = left;
  ends.right = right;
  return [left, right];
}
