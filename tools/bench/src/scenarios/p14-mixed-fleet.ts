import { fileURLToPath } from 'node:url';
import type { AnyWorkflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker, type Backend } from '@floxide/distributed';
import {
  FLEET_CHAIN_STEPS as STEPS,
  FLEET_STEP_MS as STEP_MS,
  fleetChain as chain,
} from '../floxide/fleet-chain.js';
import { fleetBackends, type FleetBackend } from '../floxide/fleet-backends.js';
import { safeRatio } from '../measure/stats.js';
import { formatNumber } from '../report/format-number.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { FleetWorkerConfig } from '../workers/fleet-worker-main.js';
import { ProcessFleet } from '../workers/process-fleet.js';
import type { Scenario } from './scenario.js';

const CONCURRENCY = 8;
const fleetWorkerMain = fileURLToPath(new URL('../workers/fleet-worker-main.ts', import.meta.url));

/** Runs `runs` runs of each workflow, started together; ms until every run of each workflow completed. */
async function timeRuns(
  backend: Backend,
  workflows: readonly AnyWorkflow[],
  runs: number,
  problems: string[],
): Promise<number[]> {
  const orchestrator = new DistributedOrchestrator({ backend, workflows: [...workflows] });
  const began = Date.now();
  const perWorkflow = await Promise.all(
    workflows.map(async (wf) => {
      const ids = await Promise.all(Array.from({ length: runs }, (_, i) => orchestrator.start(wf, i)));
      const infos = await Promise.all(ids.map((id) => orchestrator.wait(id, { timeoutMs: 120_000 })));
      const ms = Date.now() - began;
      infos.forEach((info, i) => {
        if (info.status !== 'completed' || info.output !== i + STEPS)
          problems.push(`${wf.name} run ${i}: ${info.status} ${JSON.stringify(info.output)}`);
      });
      for (const id of ids) {
        const unknown = (await orchestrator.errors(id)).filter((e) => e.error.code === 'UNKNOWN_WORKFLOW');
        if (unknown.length > 0) problems.push(`${wf.name}: ${unknown.length} UNKNOWN_WORKFLOW records`);
      }
      return ms;
    }),
  );
  return perWorkflow;
}

/**
 * Runs `fn` while one worker per entry of `fleets` serves the side's store: a worker process each on Redis
 * and Postgres (own event loop, own connections, as a deployment runs them); in this process for Memory,
 * the embedded backend.
 */
async function withWorkers<T>(
  side: FleetBackend,
  fleets: readonly AnyWorkflow[],
  fn: () => Promise<T>,
): Promise<T> {
  const location = side.location;
  if (location !== undefined) {
    const configs: FleetWorkerConfig[] = fleets.map((wf) => ({
      ...location,
      workflow: wf.name,
      concurrency: CONCURRENCY,
    }));
    const fleet = new ProcessFleet(fleetWorkerMain, 'BENCH_FLEET_CONFIG', configs);
    try {
      await fleet.ready;
      return await fn();
    } finally {
      await fleet.stop();
    }
  }
  const workers = fleets.map(
    (wf) =>
      new DistributedWorker({
        backend: side.backend,
        workflows: [wf],
        concurrency: CONCURRENCY,
        idleWaitMs: 200,
      }),
  );
  await Promise.all(workers.map((w) => w.start()));
  try {
    return await fn();
  } finally {
    await Promise.all(workers.map((w) => w.close({ graceMs: 0 })));
  }
}

/**
 * P14: a mixed fleet performs like dedicated ones. Worker A runs workflow A, worker B workflow B, on one
 * backend: each workflow's run time next to the time it takes alone, and zero UNKNOWN_WORKFLOW records.
 */
export const p14MixedFleet: Scenario = {
  id: 'p14',
  title: 'Mixed fleet: two workers with disjoint workflows on one backend vs each workflow alone',
  async run(options) {
    const runs = options.runs ?? (options.smoke ? 10 : 200);
    const rows: ResultRow[] = [];
    const targets: TargetResult[] = [];
    const checks: string[] = [];
    let verified = true;
    const a = chain('fleet-a');
    const b = chain('fleet-b');
    for (const create of fleetBackends(options)) {
      const problems: string[] = [];
      let label = '';
      const times: { alone: number[]; mixed: number[] } = { alone: [], mixed: [] };
      for (const mode of ['alone', 'mixed'] as const) {
        for (const wf of mode === 'alone' ? [a, b] : [undefined]) {
          const side = await create();
          label = side.label;
          try {
            if (wf) {
              const [ms] = await withWorkers(side, [wf], () => timeRuns(side.backend, [wf], runs, problems));
              times.alone.push(ms ?? Number.NaN);
            } else {
              times.mixed = await withWorkers(side, [a, b], () =>
                timeRuns(side.backend, [a, b], runs, problems),
              );
            }
          } finally {
            await side.dispose();
          }
        }
      }
      options.log(
        `  ${label}: alone ${times.alone.map((t) => `${t} ms`).join(' / ')}, mixed ${times.mixed.map((t) => `${t} ms`).join(' / ')}`,
      );
      verified &&= problems.length === 0;
      checks.push(
        problems.length === 0
          ? `${label}: ${runs} runs of each workflow completed with the expected output, 0 UNKNOWN_WORKFLOW records`
          : `${label}: FAILED — ${problems.slice(0, 5).join('; ')}`,
      );
      ['A', 'B'].forEach((name, i) => {
        const alone = times.alone[i] ?? Number.NaN;
        const mixed = times.mixed[i] ?? Number.NaN;
        const ratio = safeRatio(mixed, alone);
        rows.push(
          { contender: label, case: `workflow ${name} alone`, figure: alone, unit: 'ms' },
          {
            contender: label,
            case: `workflow ${name} in the mixed fleet`,
            figure: mixed,
            unit: 'ms',
            note: `${formatNumber(ratio)}× alone`,
          },
        );
        targets.push({
          target: `P14 ${label}: workflow ${name} in a mixed fleet within 20% of alone`,
          met: Number.isFinite(ratio) && ratio <= 1.2,
          actual: `${formatNumber(ratio)}× (${mixed} vs ${alone} ms)`,
        });
      });
    }
    const notes = [
      `${runs} runs of each of two ${STEPS}-step chains (each step waits ${STEP_MS} ms), one worker per workflow at concurrency ${CONCURRENCY}: on Redis and Postgres each worker is a process of its own (own connections), on Memory in this process. "Alone": one workflow and its worker on a fresh backend; "mixed": both workflows started together with both workers on one backend. Before task-queue filtering a worker leased the other workflow's items and handed them back after 2 s.`,
      `Steps of ${STEP_MS} ms keep both fleets below the store's capacity (BENCH_P14_STEP_MS changes it): at 10 ms one fleet alone saturates Postgres on 2 cores, and the mixed fleet then measures capacity, not interference.`,
    ];
    return { verified, checks, rows, targets, notes };
  },
};
