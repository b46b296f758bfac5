import { describe, expect, it } from 'vitest';
import { FakeClock, realClock } from './clock.js';

describe('FakeClock', () => {
  it('fires timers in due order, each at its own time', () => {
    const clock = new FakeClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => fired.push(['b', clock.nowMs()]), 200);
    clock.setTimeout(() => fired.push(['a', clock.nowMs()]), 100);
    clock.setTimeout(() => fired.push(['c', clock.nowMs()]), 200);
    clock.advance(150);
    expect(fired).toEqual([['a', 1_100]]);
    clock.advance(100);
    expect(fired).toEqual([
      ['a', 1_100],
      ['b', 1_200],
      ['c', 1_200],
    ]);
    expect(clock.nowMs()).toBe(1_250);
  });

  it('fires timers set by timers when they fall due in the same advance', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.nowMs());
      clock.setTimeout(() => fired.push(clock.nowMs()), 50);
    }, 50);
    clock.advance(100);
    expect(fired).toEqual([50, 100]);
  });

  it('cancels timers and aborts sleeps', async () => {
    const clock = new FakeClock(0);
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(handle);
    clock.advance(20);
    expect(fired).toBe(false);

    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    controller.abort(new Error('stopped'));
    await expect(sleeping).rejects.toThrow('stopped');
    expect(clock.pendingTimers).toBe(0);
  });

  it('resolves sleeps as time advances', async () => {
    const clock = new FakeClock(0);
    let woke = false;
    const sleeping = clock.sleep(500).then(() => (woke = true));
    await clock.advanceAsync(499);
    expect(woke).toBe(false);
    await clock.advanceAsync(1);
    await sleeping;
    expect(woke).toBe(true);
  });

  it('refuses to go backwards', () => {
    expect(() => new FakeClock(0).advance(-1)).toThrow(RangeError);
  });
});

describe('realClock', () => {
  it('tells the time and wakes a sleeper', async () => {
    const clock = realClock();
    const before = clock.nowMs();
    await clock.sleep(5);
    expect(clock.nowMs()).toBeGreaterThanOrEqual(before);
  });
});
