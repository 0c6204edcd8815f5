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
    include: [
      'src/redis-backend-contract.int.test.ts',
      'src/redis-engine-scenarios.int.test.ts',
      'src/crash.int.test.ts',
      'src/max-concurrency.int.test.ts',
      'src/cluster-*.int.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
