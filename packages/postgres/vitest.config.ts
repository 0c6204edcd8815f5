import { defineConfig } from 'vitest/config';

/** Run after the others, one file at a time (see the `direct-crash` project below). */
const ONE_AT_A_TIME = [
  'src/*crash.int.test.ts',
  'src/wide-join.int.test.ts',
  'src/reconnect.int.test.ts',
  'src/feed-restart.int.test.ts',
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
        // Most files wait on PostgreSQL and on timers far more than they use a core: two at a time.
        extends: true,
        test: {
          name: 'direct',
          sequence: { groupOrder: 0 },
          maxWorkers: 2,
          include: ['src/**/*.test.ts'],
          exclude: [...ONE_AT_A_TIME, '**/node_modules/**'],
          provide: { pgbouncerUrl: '' },
          typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.spec.json' },
        },
      },
      {
        // Then the files that SIGKILL worker processes, restart servers or drive thousands of steps, alone:
        // their bounds assume the machine is not also running another suite.
        extends: true,
        test: {
          name: 'direct-crash',
          sequence: { groupOrder: 1 },
          maxWorkers: 1,
          include: ONE_AT_A_TIME,
          provide: { pgbouncerUrl: '' },
        },
      },
      {
        // The backend contract again, through a private PgBouncer in transaction mode (Debian's `pgbouncer`
        // package; see test-support/temp-pgbouncer.ts), two files at a time with the direct project. The
        // engine scenarios (71, about 3 minutes through the pooler) are left to the direct project, to keep
        // CI within its 30 minutes: run them through PgBouncer with `FLOXIDE_PGBOUNCER_SCENARIOS=1`.
        extends: true,
        test: {
          name: 'pgbouncer',
          sequence: { groupOrder: 0 },
          maxWorkers: 2,
          include: [
            'src/backend-contract.int.test.ts',
            ...(process.env.FLOXIDE_PGBOUNCER_SCENARIOS ? ['src/engine-scenarios.int.test.ts'] : []),
          ],
          globalSetup: ['./src/test-support/pgbouncer-global-setup.ts'],
        },
      },
      {
        // The crash test through its own private PgBouncer, last and alone: two crash tests at once would
        // overload 2 cores.
        extends: true,
        test: {
          name: 'pgbouncer-crash',
          sequence: { groupOrder: 2 },
          maxWorkers: 1,
          include: ['src/crash.int.test.ts'],
          globalSetup: ['./src/test-support/pgbouncer-global-setup.ts'],
        },
      },
    ],
  },
});
