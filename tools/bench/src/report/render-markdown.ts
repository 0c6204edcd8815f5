import { formatNumber, formatRatio } from './format-number.js';
import type { BenchReport, ScenarioResult } from './scenario-result.js';

/** Escapes a cell for a Markdown table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Renders one scenario as Markdown: verdict, figures table, targets, checks and notes. */
export function renderScenarioMarkdown(result: ScenarioResult): string {
  const lines: string[] = [];
  lines.push(`## ${result.id.toUpperCase()} — ${result.title}`, '');
  lines.push(
    `Correctness: **${result.verified ? 'verified' : 'FAILED'}** · took ${formatNumber(result.durationMs / 1000)} s`,
    '',
  );
  if (result.rows.length > 0) {
    lines.push(
      '| contender | case | figure | unit | Floxide ahead by | note |',
      '|---|---|---:|---|---:|---|',
    );
    for (const row of result.rows) {
      lines.push(
        `| ${cell(row.contender)} | ${cell(row.case ?? '')} | ${formatNumber(row.figure)} | ${cell(row.unit)} | ${formatRatio(row.ratioVsFloxide)} | ${cell(row.note ?? '')} |`,
      );
    }
    lines.push('');
  }
  if (result.targets.length > 0) {
    lines.push('| target | met | actual |', '|---|---|---|');
    for (const target of result.targets) {
      lines.push(`| ${cell(target.target)} | ${target.met ? 'yes' : '**no**'} | ${cell(target.actual)} |`);
    }
    lines.push('');
  }
  if (result.checks.length > 0) lines.push('Checks:', ...result.checks.map((c) => `- ${c}`), '');
  if (result.notes.length > 0) lines.push('Notes:', ...result.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

/** The report line saying how Floxide's workers ran. */
function strandsLine(strands: BenchReport['strands']): string {
  if (strands === 'off') return '**`strands: false`** (queue-only mode)';
  if (strands === 'both') return 'strands on, and `strands: false` side by side';
  return 'strands on';
}

/** Renders a whole bench report as Markdown (the committed `reports/latest.md`). */
export function renderReportMarkdown(report: BenchReport): string {
  const m = report.machine;
  const header = [
    '# Floxide benchmarks',
    '',
    `Run ${report.startedAt} · mode **${report.mode}** · Floxide workers: ${strandsLine(report.strands)} · ${formatNumber(report.durationMs / 1000)} s total`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.platform}, Node ${m.node}` +
      (m.redis ? `, Redis ${m.redis}` : '') +
      (m.postgres ? `, PostgreSQL ${m.postgres}` : '') +
      ` · 1-min load average ${formatNumber(m.loadAverage.start)} at start, ${formatNumber(m.loadAverage.end)} at end`,
    '',
    '"Floxide ahead by" is Floxide\'s figure over the contender\'s (inverted for lower-is-better units such as',
    'latency or cost): above 1× Floxide is ahead. Targets are reported, not asserted.',
    '',
    '| scenario | verified | targets met |',
    '|---|---|---|',
    ...report.scenarios.map(
      (s) =>
        `| ${s.id.toUpperCase()} ${cell(s.title)} | ${s.verified ? 'yes' : '**no**'} | ${s.targets.filter((t) => t.met).length} / ${s.targets.length} |`,
    ),
    '',
  ];
  return [...header, ...report.scenarios.map(renderScenarioMarkdown)].join('\n');
}
