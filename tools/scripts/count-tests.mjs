// Sums the vitest JSON reports of every project and prints the closing line CI reads: `N passed, N failed`.
// A project whose test run left no report counts as one failure, so a crashed runner never reads as green.
// Every failed test is named (with the first line of its error) above the closing line: CI keeps only part of
// a long log, and a failure nobody can name cannot be fixed.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
const failures = [];

/**
 * Test files that failed without a failed test in them (an import error, a throwing `beforeAll`): each counts as
 * one failure. A file whose tests failed is already counted by its tests — vitest's `numFailedTestSuites` also
 * counts every `describe` around a failed test, which would count one failure several times.
 */
function filesFailedOutsideTests(r) {
  return (r.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed'),
  );
}

/** One line per failed test (its full name and the first line of its first error), and per broken file. */
function failureLines(r, brokenFiles) {
  const firstLine = (text) =>
    String(text ?? '')
      .split('\n')[0]
      .slice(0, 300);
  const lines = [];
  for (const file of r.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status === 'failed') lines.push(`FAILED ${t.fullName} — ${firstLine(t.failureMessages?.[0])}`);
    }
  }
  for (const file of brokenFiles) lines.push(`FAILED ${file.name} — ${firstLine(file.message)}`);
  return lines;
}
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
      const brokenFiles = filesFailedOutsideTests(r);
      passed += r.numPassedTests;
      failed += r.numFailedTests + brokenFiles.length;
      console.error(
        `[tests] ${report}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${brokenFiles.length} files failed outside a test`,
      );
      for (const line of failureLines(r, brokenFiles)) failures.push(`${dir}: ${line}`);
    }
  }
}
for (const line of failures) console.error(`[tests] ${line}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
