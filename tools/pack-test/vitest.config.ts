import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    watch: false,
    passWithNoTests: false,
    // CI sums every project's JSON report into one `N passed, N failed` line (tools/scripts/count-tests.mjs).
    reporters: process.env.FLOXIDE_TEST_REPORT ? ['default', 'json'] : ['default'],
    outputFile: { json: './vitest-report.json' },
    include: ['src/**/*.test.ts'],
    // Packing six packages and two `npm install`s from the registry take minutes on a loaded 2-core machine.
    testTimeout: 600_000,
    hookTimeout: 900_000,
  },
});
