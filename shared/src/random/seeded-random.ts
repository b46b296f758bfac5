/**
 * A small, fast, seedable random source (sfc32, seeded through splitmix32), so simulations and chaos runs
 * replay exactly from a printed seed. Not for secrets: codes and keys come from the CSPRNG.
 */
export interface SeededRandom {
  readonly seed: number;
  /** A uniform number in [0, 1). */
  next(): number;
  /** A uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with the given probability. */
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Fills bytes, for code generation in simulations (`generateCode(type, random.bytes)`). */
  bytes(target: Uint8Array): void;
  /** An independent stream for a sub-part (one kiosk of many), stable for the same label. */
  fork(label: string): SeededRandom;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashLabel(label: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < label.length; index += 1)
    hash = Math.imul(hash ^ label.charCodeAt(index), 0x01000193) >>> 0;
  return hash;
}

export function seededRandom(seed: number): SeededRandom {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // Discard the first outputs, as sfc32's authors advise, so nearby seeds diverge at once.
  for (let index = 0; index < 12; index += 1) nextUint32();
  const random: SeededRandom = {
    seed,
    next: () => nextUint32() / 2 ** 32,
    int: (min, max) => {
      if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min)
        throw new RangeError('bad range');
      return min + Math.floor(random.next() * (max - min + 1));
    },
    chance: (probability) => random.next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('nothing to pick from');
      return items[Math.floor(random.next() * items.length)]!;
    },
    bytes: (target) => {
      for (let index = 0; index < target.length; index += 1) target[index] = nextUint32() & 0xff;
    },
    fork: (label) => seededRandom((seed ^ hashLabel(label)) >>> 0),
  };
  return random;
}
