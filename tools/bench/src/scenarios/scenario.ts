import type { ScenarioResult } from '../report/scenario-result.js';
import type { StrandsMode } from './strands-mode.js';

/** Options every scenario receives from the CLI. */
export interface ScenarioOptions {
  /** Tiny sizes, same code paths, correctness checks on (CI). */
  readonly smoke: boolean;
  /** Overrides the scenario's main size (`--runs`). */
  readonly runs?: number;
  /** How Floxide's workers run in the scenarios that honour it (P3, P4, P5, P8, P9; `--strands`). */
  readonly strands: StrandsMode;
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** Progress lines for the terminal. */
  readonly log: (line: string) => void;
}

/** What a scenario returns; the runner adds id, title and duration. */
export type ScenarioOutput = Omit<ScenarioResult, 'id' | 'title' | 'durationMs'>;

/** One benchmark scenario (one file each under `src/scenarios`). */
export interface Scenario {
  /** `p1` … `p16`. */
  readonly id: string;
  readonly title: string;
  run(options: ScenarioOptions): Promise<ScenarioOutput>;
}
