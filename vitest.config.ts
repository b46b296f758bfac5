import { defineConfig } from 'vitest/config';

// One vitest run from the root covers every package; each package is its own project so a
// failure names the part it came from.
const packages = ['shared', 'server', 'terminal-app', 'hardware-sim', 'scripts'];

/**
 * Fuzz tests (`*.fuzz.test.ts`, and the fuzz cases in server/src/security) run a bounded number of cases
 * each; `npm run fuzz` sets FUZZ_RUNS to run them long (shared/src/testing/fuzz.ts). Read here, once.
 */
function positiveIntegerOrNull(text: string | undefined, name: string): number | null {
  if (text === undefined || text === '') return null;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}
const fuzzRuns = positiveIntegerOrNull(process.env['FUZZ_RUNS'], 'FUZZ_RUNS');
const fuzzSeed = positiveIntegerOrNull(process.env['FUZZ_SEED'], 'FUZZ_SEED');
/** The long mode runs for as long as it takes; CI keeps the usual per-test bound. */
const testTimeoutMs = fuzzRuns === null ? 30_000 : 6 * 60 * 60 * 1000;

export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      test: {
        name,
        root: `./${name}`,
        include: ['src/**/*.test.ts'],
        environment: 'node',
        testTimeout: testTimeoutMs,
        hookTimeout: 60_000,
        provide: { fuzzRuns, fuzzSeed },
      },
    })),
  },
});
