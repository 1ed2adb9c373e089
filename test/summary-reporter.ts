import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { POSTGRES_MISSING_VARIABLE } from './postgres-preflight.js';

/** Where the counts are left for the browser tests' reporter, which ends `npm test` with the grand total (not test-results/: Playwright empties it). */
export const VITEST_SUMMARY_FILE = 'node_modules/.cache/docent/vitest-summary.json';

/**
 * Ends the run with one plain `N passed, N failed, N skipped` line: the summary line CI reads.
 * Vitest's own summary is not in a form CI recognises.
 */
export default class SummaryReporter implements Reporter {
  /** `accumulate`: a second vitest run in the same `npm test` (the reliability suite) adds to the first's counts. */
  constructor(private readonly options: { accumulate?: boolean } = {}) {}

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const skipped: string[] = [];
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else {
          counts.skipped += 1;
          skipped.push(test.fullName);
        }
      }
      // A file that fails before its tests run (an import error) has no test to count.
      if (testModule.state() === 'failed' && [...testModule.children.allTests()].length === 0) counts.failed += 1;
    }
    counts.failed += unhandledErrors.length;
    // Skips are said out loud (e.g. the live Qdrant suite without QDRANT_URL), never silent.
    for (const name of skipped) process.stdout.write(`skipped: ${name}\n`);
    const postgresMissing = process.env[POSTGRES_MISSING_VARIABLE];
    if (postgresMissing !== undefined) process.stdout.write(`PostgreSQL suites skipped: ${postgresMissing}.\n`);
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
    if (this.options.accumulate && existsSync(VITEST_SUMMARY_FILE)) {
      const earlier = JSON.parse(readFileSync(VITEST_SUMMARY_FILE, 'utf8')) as typeof counts;
      counts.passed += earlier.passed;
      counts.failed += earlier.failed;
      counts.skipped += earlier.skipped;
    }
    mkdirSync(dirname(VITEST_SUMMARY_FILE), { recursive: true });
    writeFileSync(VITEST_SUMMARY_FILE, JSON.stringify(counts));
  }
}
