import { describe, expect, it } from 'vitest';
import type { DemoReport } from './demo-report.js';
import { renderSummary } from './summary-table.js';

const report: DemoReport = {
  backend: 'memory',
  workers: 2,
  results: [
    {
      docId: 'doc-001',
      runId: 'r1',
      status: 'completed',
      chunks: 3,
      words: 40,
      tone: 'positive',
      verdict: 'published',
      keywords: ['a', 'b'],
      steps: 6,
      retries: 1,
      verified: true,
    },
    {
      docId: 'doc-002',
      runId: 'r2',
      status: 'failed',
      chunks: 2,
      steps: 2,
      retries: 3,
      verified: false,
      problem: 'boom',
    },
  ],
  elapsedMs: 1_234,
  steps: 8,
  retries: 4,
  failures: 1,
  kills: 0,
  crashes: 0,
  verified: false,
};

describe('summary table', () => {
  it('lists every document with its check and totals', () => {
    const text = renderSummary(report);
    expect(text).toMatch(/doc-001.*completed.*published.*ok/);
    expect(text).toMatch(/doc-002.*failed.*FAIL: boom/);
    expect(text).toContain(
      '1/2 runs completed, 1 verified, 8 steps, 4 retries, 1 failed steps, 0 workers killed in 1.2s',
    );
    expect(text).toContain('VERIFICATION FAILED');
  });

  it('says so when everything verified', () => {
    const ok = { ...report, results: report.results.slice(0, 1), verified: true };
    expect(renderSummary(ok)).toContain('all runs verified');
  });
});
