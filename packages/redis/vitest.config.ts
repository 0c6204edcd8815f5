import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolve sibling @floxide packages to their TypeScript source (see the "@floxide/source" export condition).
  ssr: { resolve: { conditions: ['@floxide/source'] } },
  test: {
    watch: false,
    passWithNoTests: false,
    // CI sums every project's JSON report into one `N passed, N failed` line (tools/scripts/count-tests.mjs).
    reporters: process.env.FLOXIDE_TEST_REPORT ? ['default', 'json'] : ['default'],
    outputFile: { json: './vitest-report.json' },
    include: ['src/**/*.test.ts'],
    // Cluster-only suites run in vitest.cluster.config.ts, on a private cluster.
    exclude: ['src/cluster-*.test.ts', '**/node_modules/**'],
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.spec.json' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
