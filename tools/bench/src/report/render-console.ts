import Table from 'cli-table3';
import { formatNumber, formatRatio } from './format-number.js';
import type { ScenarioResult } from './scenario-result.js';

/** Renders one scenario for the terminal: a figures table and a targets table. */
export function renderScenarioConsole(result: ScenarioResult): string {
  const out: string[] = [];
  out.push(
    `\n${result.id.toUpperCase()} — ${result.title}  [${result.verified ? 'verified' : 'CORRECTNESS FAILED'}, ${formatNumber(result.durationMs / 1000)} s]`,
  );
  if (result.rows.length > 0) {
    const table = new Table({
      head: ['contender', 'case', 'figure', 'unit', 'Floxide ahead by', 'note'],
      style: { head: [], border: [] },
    });
    for (const row of result.rows) {
      table.push([
        row.contender,
        row.case ?? '',
        formatNumber(row.figure),
        row.unit,
        formatRatio(row.ratioVsFloxide),
        row.note ?? '',
      ]);
    }
    out.push(table.toString());
  }
  if (result.targets.length > 0) {
    const table = new Table({ head: ['target', 'met', 'actual'], style: { head: [], border: [] } });
    for (const t of result.targets) table.push([t.target, t.met ? 'yes' : 'NO', t.actual]);
    out.push(table.toString());
  }
  for (const check of result.checks) out.push(`  check: ${check}`);
  for (const note of result.notes) out.push(`  note: ${note}`);
  return out.join('\n');
}
