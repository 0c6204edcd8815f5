export { runBench, selectScenarios, type RunBenchOptions } from './cli/run-bench.js';
export { ALL_SCENARIOS } from './scenarios/all-scenarios.js';
export type { Scenario, ScenarioOptions, ScenarioOutput } from './scenarios/scenario.js';
export type { BenchReport, ScenarioResult, ResultRow, TargetResult } from './report/scenario-result.js';
export { renderReportMarkdown } from './report/render-markdown.js';
export type { StrandsMode } from './scenarios/strands-mode.js';
