import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.js';

describe('seededRandom', () => {
  it('replays the same sequence from the same seed, and another from another', () => {
    const take = (seed: number) =>
      Array.from(
        { length: 20 },
        (() => {
          const r = seededRandom(seed);
          return () => r.next();
        })(),
      );
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
  });

  it('stays in range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.nat(1000), (seed, min, span) => {
        const random = seededRandom(seed);
        for (let index = 0; index < 50; index += 1) {
          const value = random.int(min, min + span);
          if (value < min || value > min + span || !Number.isInteger(value)) return false;
          const unit = random.next();
          if (unit < 0 || unit >= 1) return false;
        }
        return true;
      }),
    );
  });

  it('is roughly uniform', () => {
    const random = seededRandom(7);
    const buckets = new Array<number>(10).fill(0);
    for (let index = 0; index < 100_000; index += 1) buckets[random.int(0, 9)]! += 1;
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('forks stable, independent streams per label', () => {
    const a = seededRandom(9).fork('kiosk-1');
    const b = seededRandom(9).fork('kiosk-1');
    const c = seededRandom(9).fork('kiosk-2');
    const first = [a.next(), a.next()];
    expect([b.next(), b.next()]).toEqual(first);
    expect([c.next(), c.next()]).not.toEqual(first);
  });
});
