import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@cashin/shared';
import { FakeClock } from '@cashin/shared';
import { duplexPair } from '../devices/common/duplex-pair.js';
import { ReconnectingPort } from './reconnecting-port.js';

describe('ReconnectingPort', () => {
  it('reports a dropped line, retries with doubling backoff, and hands over the new pipe', async () => {
    const clock = new FakeClock();
    const opened: Duplex[] = [];
    let failuresLeft = 3;
    const open = (): Promise<Duplex> => {
      if (opened.length > 0 && failuresLeft > 0) {
        failuresLeft -= 1;
        return Promise.reject(new Error('ENOENT'));
      }
      const [kioskEnd] = duplexPair();
      opened.push(kioskEnd);
      return Promise.resolve(kioskEnd);
    };
    const events: DeviceEvent[] = [];
    const streams: Array<[Duplex, boolean]> = [];
    const attempts: number[] = [];
    const port = new ReconnectingPort(
      {
        device: 'coin',
        url: { scheme: 'tcp', host: '127.0.0.1', port: 7001 },
        clock,
        backoffMsMin: 250,
        backoffMsMax: 1_000,
        open: () => {
          attempts.push(clock.nowMs());
          return open();
        },
      },
      { onStream: (stream, again) => streams.push([stream, again]), onEvent: (e) => events.push(e) },
    );
    const first = await port.start();
    expect(streams).toEqual([[first, false]]);
    const t0 = clock.nowMs();
    first.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.map((e) => e.type)).toEqual(['connected', 'disconnected']);
    await clock.advanceAsync(5_000);
    // Retries after 250, then +500, +1000 (capped), then the open that works after +1000.
    expect(attempts.slice(1).map((t) => t - t0)).toEqual([250, 750, 1_750, 2_750]);
    expect(streams).toHaveLength(2);
    expect(streams[1]?.[1]).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['connected', 'disconnected', 'connected']);
    await port.close();
    expect(opened[1]?.destroyed).toBe(true);
    expect(events).toHaveLength(3);
  });
});
