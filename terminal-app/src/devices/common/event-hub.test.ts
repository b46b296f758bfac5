import { describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@cashin/shared';
import { DeviceEventHub } from './event-hub.js';

const credit = (n: number): DeviceEvent => ({
  device: 'coin',
  type: 'credit',
  kind: 'coin',
  ccTalkId: 'US025A',
  currency: 'USD',
  valueMinor: 25,
  count: n,
});

describe('DeviceEventHub', () => {
  it('an iterator that falls behind is told how many events it lost', async () => {
    const hub = new DeviceEventHub('coin', 3);
    const iterator = hub.iterate()[Symbol.asyncIterator]();
    const first = iterator.next();
    hub.emit(credit(1));
    expect((await first).value).toEqual(credit(1));
    for (let n = 2; n <= 7; n += 1) hub.emit(credit(n));
    const seen: DeviceEvent[] = [];
    for (let i = 0; i < 4; i += 1) seen.push((await iterator.next()).value as DeviceEvent);
    expect(seen).toEqual([{ device: 'coin', type: 'lostEvents', count: 3 }, credit(5), credit(6), credit(7)]);
    hub.close();
    expect((await iterator.next()).value).toEqual({ device: 'coin', type: 'disconnected' });
    expect((await iterator.next()).done).toBe(true);
  });
});
