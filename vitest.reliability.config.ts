import { defineConfig } from 'vitest/config';

/** `npm run test:reliability`: outage drills, fuzzing, two instances, the soak and the audit. */
export default defineConfig({
  test: {
    include: ['server/test/reliability/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
