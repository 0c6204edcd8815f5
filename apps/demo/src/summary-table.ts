import Table from 'cli-table3';
import type { DemoReport } from './demo-report.js';

/** Renders the final per-document table and the totals line. */
export function renderSummary(report: DemoReport): string {
  const table = new Table({
    head: [
      'document',
      'status',
      'chunks',
      'words',
      'tone',
      'verdict',
      'keywords',
      'steps',
      'retries',
      'check',
    ],
    style: { head: [], border: [] },
    // No separator line between rows: the table stays as tall as the number of documents.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const r of report.results) {
    table.push([
      r.docId,
      r.status,
      String(r.chunks),
      r.words === undefined ? '-' : String(r.words),
      r.tone ?? '-',
      r.verdict ?? '-',
      r.keywords?.join(', ') ?? '-',
      String(r.steps),
      String(r.retries),
      r.verified ? 'ok' : `FAIL: ${r.problem ?? 'mismatch'}`,
    ]);
  }
  const completed = report.results.filter((r) => r.status === 'completed').length;
  const verified = report.results.filter((r) => r.verified).length;
  const lines = [
    table.toString(),
    `backend ${report.backend}, ${report.workers} workers: ${completed}/${report.results.length} runs completed, ` +
      `${verified} verified, ${report.steps} steps, ${report.retries} retries, ${report.failures} failed steps, ` +
      `${report.kills} workers killed${report.crashes > 0 ? `, ${report.crashes} worker crashes` : ''} ` +
      `in ${(report.elapsedMs / 1_000).toFixed(1)}s`,
    report.verified
      ? 'all runs verified: outputs match the expected results and every context counter is exact'
      : 'VERIFICATION FAILED: see the rows marked FAIL above',
  ];
  return `${lines.join('\n')}\n`;
}
