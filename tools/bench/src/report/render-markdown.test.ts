import { describe, expect, it } from 'vitest';
import { renderReportMarkdown } from './render-markdown.js';
import type { BenchReport } from './scenario-result.js';

const report: BenchReport = {
  startedAt: '2026-01-01T00:00:00.000Z',
  mode: 'smoke',
  strands: 'off',
  machine: {
    node: '20.0.0',
    cpus: 2,
    cpuModel: 'cpu',
    platform: 'linux',
    loadAverage: { start: 0.5, end: 1.25 },
  },
  durationMs: 1_500,
  scenarios: [
    {
      id: 'p1',
      title: 'Local | chain',
      verified: true,
      checks: ['all good'],
      rows: [
        { contender: 'Floxide', figure: 123_456, unit: 'steps/s' },
        { contender: 'Peer', figure: 1_234.5, unit: 'steps/s', ratioVsFloxide: 100.007 },
      ],
      targets: [{ target: '≥ 100×', met: true, actual: '100×' }],
      notes: ['a note'],
      durationMs: 1_000,
    },
  ],
};

describe('renderReportMarkdown', () => {
  it('renders the summary, figures with ratios, targets, checks and notes, escaping pipes', () => {
    const md = renderReportMarkdown(report);
    expect(md).toContain('| P1 Local \\| chain | yes | 1 / 1 |');
    expect(md).toContain('| Floxide |  | 123,456 | steps/s | — |  |');
    expect(md).toContain('| Peer |  | 1,235 | steps/s | 100× |  |');
    expect(md).toContain('| ≥ 100× | yes | 100× |');
    expect(md).toContain('- all good');
    expect(md).toContain('- a note');
    expect(md).toContain('load average 0.5 at start, 1.25 at end');
    expect(md).toContain('Floxide workers: **`strands: false`** (queue-only mode)');
  });
});
