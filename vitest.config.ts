import { defineConfig } from 'vitest/config';

// The page over real containers starts labs of containers on the topology's subnet, as the
// scenario tests do; Docker gives a subnet to one network at a time, and two labs waiting on each
// other (with chromium beside them on two cores) made both slow. So that file runs on its own,
// after the others (a second group: groupOrder 1).
const ALONE = ['test/web/page-containers.test.ts'];

const shared = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // Suites use OS-chosen ports and their own data folders, so files run in parallel.
    pool: 'forks',
    // Most suites wait on sockets, fsync and containers rather than on the CPU: two cores take three.
    maxWorkers: 3,
    // after the summary, why tests were skipped (a missing client, no Docker engine)
    reporters: ['default', './test/skip-reasons.ts'],
    projects: [
      { test: { ...shared, name: 'lab', include: ['test/**/*.test.ts'], exclude: ALONE, sequence: { groupOrder: 0 } } },
      { test: { ...shared, name: 'page over containers', include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});
