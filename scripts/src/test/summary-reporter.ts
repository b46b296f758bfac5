import type { Reporter, TestModule } from 'vitest/node';

/** How many of the slowest test files the summary names. */
const slowestShown = 10;

/**
 * Ends a vitest run with one plain line, "tests: N passed, N failed, N skipped", that CI logs and people
 * can read at a glance after thousands of lines of output; above it, the slowest test files with their
 * time in tests and hooks, so whoever watches CI's 30 minutes knows where they go.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const slowest = testModules
      .map((testModule) => ({
        file: `${testModule.project.name}/${testModule.relativeModuleId}`,
        seconds: testModule.diagnostic().duration / 1000,
      }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, slowestShown);
    if (slowest.length > 0) {
      process.stdout.write(`\nslowest test files (tests and hooks):\n`);
      for (const { file, seconds } of slowest)
        process.stdout.write(`  ${seconds.toFixed(1).padStart(6)} s  ${file}\n`);
    }
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
      // A file that failed to load has no tests to count, but it is a failure all the same.
      if (testModule.state() === 'failed' && testModule.children.size === 0) failed += 1;
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
