import { defineConfig } from 'vitest/config';

// The HA fault tests (npm run test:ha): a Patroni cluster and two appliance nodes, killed in
// turn. One file at a time, each test waiting out real failovers; no shared Postgres setup.
export default defineConfig({
  test: {
    include: ['test/ha/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
