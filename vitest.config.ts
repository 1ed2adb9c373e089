import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['protocol/test/**/*.test.ts', 'server/test/**/*.test.ts', 'bench/test/**/*.test.ts', 'ingest/test/**/*.test.ts', 'widget/test/**/*.test.ts', 'docusaurus-plugin-docent/test/**/*.test.ts', 'deploy/test/**/*.test.ts', 'docs/test/**/*.test.ts'],
    // Server tests start databases and child processes; two cores, so keep parallelism modest.
    globalSetup: ['./test/postgres-preflight.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    exclude: ['server/test/reliability/**', '**/node_modules/**'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
