import { defineConfig } from 'vitest/config';

// The suites that must hold on Redis Cluster, run against a private 3-master cluster:
// `bash ../../tools/scripts/redis-cluster.sh run 3 0 -- pnpm exec vitest run --config vitest.cluster.config.ts`
// (the `test-cluster` target). The test backends read FLOXIDE_REDIS_CLUSTER (test-support/redis-test-backend.ts).
export default defineConfig({
  ssr: { resolve: { conditions: ['@floxide/source'] } },
  test: {
    watch: false,
    passWithNoTests: false,
    reporters: process.env.FLOXIDE_TEST_REPORT ? ['default', 'json'] : ['default'],
    outputFile: { json: './vitest-cluster-report.json' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        // Two files at a time (they wait on the cluster far more than they use a core), then the crash
        // test alone, as in vitest.config.ts.
        extends: true,
        test: {
          name: 'cluster',
          sequence: { groupOrder: 0 },
          maxWorkers: 2,
          include: [
            'src/redis-backend-contract.int.test.ts',
            'src/redis-engine-scenarios.int.test.ts',
            'src/max-concurrency.int.test.ts',
            'src/cluster-*.int.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster-crash',
          sequence: { groupOrder: 1 },
          maxWorkers: 1,
          include: ['src/crash.int.test.ts'],
        },
      },
    ],
  },
});
