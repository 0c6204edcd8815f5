import { cpus, loadavg, platform, release } from 'node:os';
import { postgresVersion } from '../env/postgres-env.js';
import { redisVersion } from '../env/redis-env.js';
import { databaseUrl, redisUrl } from '../env/service-urls.js';
import { renderScenarioConsole } from '../report/render-console.js';
import type { BenchReport, ScenarioResult } from '../report/scenario-result.js';
import { writeReport } from '../report/write-report.js';
import { ALL_SCENARIOS } from '../scenarios/all-scenarios.js';
import type { Scenario } from '../scenarios/scenario.js';
import type { StrandsMode } from '../scenarios/strands-mode.js';

/** Options of {@link runBench}. */
export interface RunBenchOptions {
  /** Scenario ids (`p1` … `p16`); empty = all. */
  readonly scenarios: readonly string[];
  readonly smoke: boolean;
  /** Floxide workers' strands (`--strands`); default `on`. */
  readonly strands?: StrandsMode;
  readonly runs?: number;
  /** Where `latest.json` / `latest.md` go; none = no files. */
  readonly outDir?: string;
  /** Terminal output (tables, progress). */
  readonly print: (text: string) => void;
}

/** Picks scenarios by id; throws on an unknown id so a typo never silently runs nothing. */
export function selectScenarios(ids: readonly string[]): Scenario[] {
  if (ids.length === 0) return [...ALL_SCENARIOS];
  return ids.map((id) => {
    const scenario = ALL_SCENARIOS.find((s) => s.id === id.toLowerCase());
    if (!scenario)
      throw new Error(`unknown scenario '${id}' (known: ${ALL_SCENARIOS.map((s) => s.id).join(', ')})`);
    return scenario;
  });
}

/**
 * Runs the selected scenarios one after another, prints each table as it finishes, and writes the
 * JSON + Markdown report.
 *
 * @remarks
 * A scenario that throws is reported as not verified with the error message, and the others still
 * run: one broken contender must not hide every other figure.
 */
export async function runBench(options: RunBenchOptions): Promise<BenchReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const services = { redisUrl: redisUrl(), databaseUrl: databaseUrl() };
  const [redis, postgres] = await Promise.all([
    redisVersion(services.redisUrl),
    postgresVersion(services.databaseUrl),
  ]);
  const results: ScenarioResult[] = [];
  const strands = options.strands ?? 'on';
  if (strands !== 'on')
    options.print(
      `Floxide workers: strands ${strands === 'off' ? 'off (strands: false)' : 'on and off side by side'}`,
    );
  for (const scenario of selectScenarios(options.scenarios)) {
    options.print(`\n▶ ${scenario.id.toUpperCase()} ${scenario.title}`);
    const scenarioStarted = performance.now();
    let result: ScenarioResult;
    try {
      const output = await scenario.run({
        smoke: options.smoke,
        strands,
        ...(options.runs === undefined ? {} : { runs: options.runs }),
        ...services,
        log: (line) => options.print(line),
      });
      result = {
        id: scenario.id,
        title: scenario.title,
        durationMs: performance.now() - scenarioStarted,
        ...output,
      };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      result = {
        id: scenario.id,
        title: scenario.title,
        durationMs: performance.now() - scenarioStarted,
        verified: false,
        checks: [`scenario failed: ${message}`],
        rows: [],
        targets: [],
        notes: [],
      };
    }
    options.print(renderScenarioConsole(result));
    results.push(result);
  }
  const cpuList = cpus();
  const report: BenchReport = {
    startedAt,
    mode: options.smoke ? 'smoke' : 'full',
    strands,
    machine: {
      node: process.versions.node,
      cpus: cpuList.length,
      cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
      platform: `${platform()} ${release()}`,
      ...(redis ? { redis } : {}),
      ...(postgres ? { postgres } : {}),
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
    },
    scenarios: results,
    durationMs: performance.now() - started,
  };
  if (options.outDir) {
    const paths = await writeReport(report, options.outDir);
    options.print(`\nReport: ${paths.markdown} and ${paths.json}`);
  }
  return report;
}
