import type { CheckResult } from '../ops/doctor.js';

/**
 * The ✓/✗ report shared by `npm run doctor` and `npm run smoke`: one line per check, any notes,
 * then a summary. Returns the exit code: 1 when any check failed.
 */
export function printChecks(results: readonly CheckResult[], notes: readonly string[] = []): number {
  for (const result of results) process.stdout.write(`${result.ok ? '✓' : '✗'} ${result.message}\n`);
  for (const note of notes) process.stdout.write(`- ${note}\n`);
  const failed = results.filter((result) => !result.ok).length;
  process.stdout.write(failed === 0 ? `all ${results.length} checks passed\n` : `${failed} of ${results.length} checks failed\n`);
  return failed === 0 ? 0 : 1;
}
