import { defineConfig } from 'vitest/config';

// One vitest run from the root covers every package; each package is its own project so a
// failure names the part it came from.
const packages = ['shared', 'server', 'terminal-app', 'hardware-sim', 'scripts'];

export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      test: {
        name,
        root: `./${name}`,
        include: ['src/**/*.test.ts'],
        environment: 'node',
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
