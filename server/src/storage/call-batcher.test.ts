import { CodedError } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import { CallBatcher } from './call-batcher.js';

describe('the call batcher', () => {
  it('sends waiting items together, answers each in order, and refuses new ones past its queue bound', async () => {
    const calls: number[][] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batcher = new CallBatcher<number, number>(
      async (items) => {
        calls.push([...items]);
        await held;
        return items.map((item) => item * 10);
      },
      3,
      1,
      4,
    );
    // One call goes out at once; the next items wait for it, up to the queue bound.
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual([[1]]);
    const waiting = [2, 3, 4, 5].map((item) => batcher.submit(item));
    const refused = batcher.submit(6);
    await expect(refused).rejects.toBeInstanceOf(CodedError);
    await expect(refused).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(waiting)).toEqual([20, 30, 40, 50]);
    expect(calls).toEqual([[1], [2, 3, 4], [5]]);
    // With the queue drained, items are taken again.
    expect(await batcher.submit(7)).toBe(70);
  });
});
