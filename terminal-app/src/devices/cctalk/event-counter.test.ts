import { describe, expect, it } from 'vitest';
import { counterAfter, counterStep } from './event-counter.js';

describe('ccTalk event counter', () => {
  it.each([
    [undefined, 7, { kind: 'baseline' }],
    [5, 0, { kind: 'reset' }],
    [0, 0, { kind: 'events', fresh: 0, lost: 0 }],
    [0, 3, { kind: 'events', fresh: 3, lost: 0 }],
    [10, 10, { kind: 'events', fresh: 0, lost: 0 }],
    [10, 15, { kind: 'events', fresh: 5, lost: 0 }],
    [10, 17, { kind: 'events', fresh: 5, lost: 2 }],
    [254, 2, { kind: 'events', fresh: 3, lost: 0 }],
    [255, 1, { kind: 'events', fresh: 1, lost: 0 }],
    [250, 8, { kind: 'events', fresh: 5, lost: 8 }],
  ] as const)('from %s to %s', (last, counter, step) => {
    expect(counterStep(last, counter, 5)).toEqual(step);
  });

  it('wraps 255 to 1, never to 0', () => {
    expect(counterAfter(0, 1)).toBe(1);
    expect(counterAfter(254, 1)).toBe(255);
    expect(counterAfter(255, 1)).toBe(1);
    expect(counterAfter(200, 255)).toBe(200);
    expect(counterAfter(9, 0)).toBe(9);
  });
});
