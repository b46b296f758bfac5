import { describe, expect, it } from 'vitest';
import { UuidV7Schema, createUuidV7Generator, isUuidV7, uuidV7TimeMs, uuidv7 } from './uuidv7.js';

describe('UUIDv7', () => {
  it('has the version 7 and RFC variant bits', () => {
    const id = uuidv7();
    expect(isUuidV7(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('carries its creation time', () => {
    const generate = createUuidV7Generator(() => Date.UTC(2026, 10, 22, 12, 0, 0, 123));
    expect(uuidV7TimeMs(generate())).toBe(Date.UTC(2026, 10, 22, 12, 0, 0, 123));
  });

  it('increases strictly within one millisecond and when the clock steps back', () => {
    let nowMs = 1_800_000_000_000;
    const generate = createUuidV7Generator(() => nowMs);
    const ids: string[] = [];
    for (let index = 0; index < 10_000; index += 1) {
      if (index === 5_000) nowMs -= 2_000;
      ids.push(generate());
    }
    for (let index = 1; index < ids.length; index += 1) expect(ids[index]! > ids[index - 1]!).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is parsed on the wire in its canonical lowercase form only', () => {
    expect(UuidV7Schema.safeParse(uuidv7()).success).toBe(true);
    expect(UuidV7Schema.safeParse(uuidv7().toUpperCase()).success).toBe(false);
    expect(UuidV7Schema.safeParse('0192f0c1-0000-4000-8000-000000000000').success).toBe(false);
    expect(UuidV7Schema.safeParse('not-an-id').success).toBe(false);
  });
});
