// Sums the vitest JSON reports of every project and prints the closing line CI reads: `N passed, N failed`.
// A project whose test run left no report counts as one failure, so a crashed runner never reads as green.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
for (const group of ['packages', 'apps', 'tools']) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const dir = join(group, name);
    if (!existsSync(join(dir, 'vitest.config.ts'))) continue;
    // A project with a cluster config (vitest.cluster.config.ts) also reports its run on Redis Cluster.
    const reports = [join(dir, 'vitest-report.json')];
    if (existsSync(join(dir, 'vitest.cluster.config.ts')))
      reports.push(join(dir, 'vitest-cluster-report.json'));
    for (const report of reports) {
      if (!existsSync(report)) {
        console.error(`[tests] ${report}: no test report (runner crashed or did not run)`);
        failed += 1;
        continue;
      }
      const r = JSON.parse(readFileSync(report, 'utf8'));
      passed += r.numPassedTests;
      failed += r.numFailedTests + (r.numFailedTestSuites ?? 0);
      console.error(
        `[tests] ${report}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numFailedTestSuites ?? 0} suites failed`,
      );
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
