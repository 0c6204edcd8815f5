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
    // The integration files spend their time waiting for the CLI processes they start: two at a time.
    maxWorkers: 2,
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.spec.json' },
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
