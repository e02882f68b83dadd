import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Suites use OS-chosen ports and their own data folders, so files run in parallel.
    pool: 'forks',
    // Most suites wait on sockets, fsync and containers rather than on the CPU: two cores take three.
    maxWorkers: 3,
    // after the summary, why tests were skipped (a missing client, no Docker engine)
    reporters: ['default', './test/skip-reasons.ts'],
  },
});
