import { describe, expect, it } from 'vitest';
import { FakeClock } from '@cashin/shared';
import { PollLoop } from './poll-loop.js';

function rig(intervalMs: number) {
  const clock = new FakeClock();
  const startMs = clock.nowMs();
  const startedAt: number[] = [];
  const loop = new PollLoop(
    clock,
    intervalMs,
    () => {
      startedAt.push(clock.nowMs() - startMs);
      return Promise.resolve();
    },
    (error) => {
      throw error;
    },
  );
  return { clock, loop, startedAt };
}

describe('poll loop', () => {
  it('polls start to start at its interval', async () => {
    const { clock, loop, startedAt } = rig(200);
    loop.start();
    await clock.advanceAsync(1_000);
    expect(startedAt).toEqual([200, 400, 600, 800, 1_000]);
    await loop.stop();
  });

  it('a shorter interval moves the poll already waiting to the new slot, counted from the last poll', async () => {
    const { clock, loop, startedAt } = rig(200);
    loop.start();
    await clock.advanceAsync(210);
    loop.setIntervalMs(40);
    await clock.advanceAsync(110);
    expect(startedAt).toEqual([200, 240, 280, 320]);
    loop.setIntervalMs(200);
    await clock.advanceAsync(400);
    expect(startedAt).toEqual([200, 240, 280, 320, 520, 720]);
    expect(loop.currentIntervalMs).toBe(200);
    await loop.stop();
  });

  it('a new interval set while stopped applies once it starts', async () => {
    const { clock, loop, startedAt } = rig(200);
    loop.setIntervalMs(50);
    await clock.advanceAsync(300);
    expect(startedAt).toEqual([]);
    loop.start();
    await clock.advanceAsync(100);
    expect(startedAt).toEqual([50, 100].map((ms) => ms + 300));
    await loop.stop();
  });
});
