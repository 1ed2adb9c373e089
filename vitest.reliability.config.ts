import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: outage drills (PostgreSQL, vector store, Redis), fuzzing, two
 * instances, the soak and the dependency audit. Run by `npm test` after the main suite, whose
 * counts it adds to (DOCENT_VITEST_ACCUMULATE=1) so the final summary line covers both.
 */
export default defineConfig({
  test: {
    include: ['server/test/reliability/**/*.test.ts'],
    globalSetup: ['./test/postgres-preflight.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', ['./test/summary-reporter.ts', { accumulate: process.env.DOCENT_VITEST_ACCUMULATE === '1' }], './test/reliability-reporter.ts'],
  },
});
