import { inject } from 'vitest';

/**
 * How many cases a fuzz test runs. In CI each fuzz property runs its own bounded count, a few seconds'
 * worth; `npm run fuzz` sets FUZZ_RUNS (read once, in vitest.config.ts, and provided to every project) to
 * run every one of them long. FUZZ_SEED replays a failure fast-check reported.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    fuzzRuns: number | null;
    fuzzSeed: number | null;
  }
}

export interface FuzzParameters {
  readonly numRuns: number;
  readonly seed?: number;
}

/** fast-check parameters for a fuzz property: `boundedRuns` in CI, FUZZ_RUNS in the long mode. */
export function fuzzParameters(boundedRuns: number): FuzzParameters {
  const runs = inject('fuzzRuns') ?? boundedRuns;
  const seed = inject('fuzzSeed');
  return seed === null || seed === undefined ? { numRuns: runs } : { numRuns: runs, seed };
}

/** True when the long mode is on: tests that size things other than runs (batch counts) read it. */
export function fuzzIsLong(): boolean {
  return (inject('fuzzRuns') ?? null) !== null;
}
