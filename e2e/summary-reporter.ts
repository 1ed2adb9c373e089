import { existsSync, readFileSync } from 'node:fs';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/**
 * Ends the browser tests with one `N passed, N failed, N skipped` line, the summary CI reads. When
 * `npm test` ran vitest first (DOCENT_VITEST_SUMMARY names its counts), the line is the total of both.
 */
export default class SummaryReporter implements Reporter {
  private readonly counts = { passed: 0, failed: 0, skipped: 0 };
  private readonly skipped: string[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    // Only a test's final attempt counts.
    if (result.status !== 'passed' && result.retry < test.retries) return;
    if (result.status === 'passed') this.counts.passed += 1;
    else if (result.status === 'skipped') {
      this.counts.skipped += 1;
      this.skipped.push(test.titlePath().slice(1).join(' › '));
    } else this.counts.failed += 1;
  }

  onEnd(result: FullResult): void {
    // A run that fails outside any test (the web server did not start) must not read as green.
    if (result.status !== 'passed' && this.counts.failed === 0) this.counts.failed += 1;
    for (const name of this.skipped) process.stdout.write(`skipped: ${name}\n`);
    process.stdout.write(`\nbrowser tests: ${this.counts.passed} passed, ${this.counts.failed} failed, ${this.counts.skipped} skipped\n`);
    const total = { ...this.counts };
    const vitestFile = process.env.DOCENT_VITEST_SUMMARY;
    if (vitestFile && existsSync(vitestFile)) {
      const vitest = JSON.parse(readFileSync(vitestFile, 'utf8')) as typeof total;
      total.passed += vitest.passed;
      total.failed += vitest.failed;
      total.skipped += vitest.skipped;
    }
    process.stdout.write(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  }
}
