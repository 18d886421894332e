import { configDefaults, defineConfig } from 'vitest/config';

// Integration tests share one throwaway Postgres cluster (test/global-setup.ts) and start real
// processes, so files run in forks with a generous timeout; unit tests stay fast regardless.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The HA fault tests need Patroni and etcd and run on their own: npm run test:ha.
    exclude: [...configDefaults.exclude, 'test/ha/**'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
