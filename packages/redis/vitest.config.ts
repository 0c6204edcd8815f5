import { defineConfig } from 'vitest/config';

/** Cluster-only suites run in vitest.cluster.config.ts, on a private cluster. */
const CLUSTER_ONLY = ['src/cluster-*.test.ts'];
/** Run after the others, one file at a time (see the `crash` project below). */
const ONE_AT_A_TIME = [
  'src/*crash.int.test.ts',
  'src/wide-*.int.test.ts',
  'src/connection-loss.int.test.ts',
  'src/durability.int.test.ts',
];

export default defineConfig({
  // Resolve sibling @floxide packages to their TypeScript source (see the "@floxide/source" export condition).
  ssr: { resolve: { conditions: ['@floxide/source'] } },
  test: {
    watch: false,
    passWithNoTests: false,
    // CI sums every project's JSON report into one `N passed, N failed` line (tools/scripts/count-tests.mjs).
    reporters: process.env.FLOXIDE_TEST_REPORT ? ['default', 'json'] : ['default'],
    outputFile: { json: './vitest-report.json' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        // Most files wait on Redis and on timers far more than they use a core: two at a time.
        extends: true,
        test: {
          name: 'suites',
          sequence: { groupOrder: 0 },
          maxWorkers: 2,
          include: ['src/**/*.test.ts'],
          exclude: [...CLUSTER_ONLY, ...ONE_AT_A_TIME, '**/node_modules/**'],
          typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.spec.json' },
        },
      },
      {
        // Then the files that SIGKILL worker processes or drive thousands of steps, alone: their bounds
        // assume the machine is not also running another suite.
        extends: true,
        test: {
          name: 'crash',
          sequence: { groupOrder: 1 },
          maxWorkers: 1,
          include: ONE_AT_A_TIME,
        },
      },
    ],
  },
});
