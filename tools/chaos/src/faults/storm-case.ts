import type { FaultCase } from './fault-case.js';
import { checkCompleted, mapLimited } from './check-runs.js';
import { STORM_BRANCHES, STORM_ITEMS, stormWorkflow } from './fault-workflows.js';
import { between, sleep, withTarget } from './with-target.js';

const WORKERS = 3;

/**
 * SIGKILL storm: `size.storm.runs` runs of the storm workflow on 3 worker processes while a random worker
 * is SIGKILLed every 1–2 s and replaced. Every run must complete with `wf.run`'s output, its counter
 * exact, each item committed once, nothing pending.
 */
export function stormCase(): FaultCase {
  return {
    name: 'SIGKILL storm',
    async run({ backend, size, note }) {
      return withTarget(backend, async ({ backend: store, orchestrator, fleet }) => {
        const wf = stormWorkflow();
        const spawnBegan = Date.now();
        await fleet.spawn(WORKERS);
        note(`${WORKERS} worker processes ready in ${Date.now() - spawnBegan} ms`);
        const inputs = Array.from({ length: size.storm.runs }, (_, i) => i);
        const runIds = await mapLimited(inputs, 8, (i) => orchestrator.start(wf, i));
        const stormBegan = Date.now();
        // A replacement's start-up is not awaited: kills keep their 1–2 s pace (a worker still starting
        // may be the next victim, which is a crash too).
        while (Date.now() - stormBegan < size.storm.chaosMs) {
          await sleep(between(...size.storm.killEveryMs));
          if (await fleet.killRandom()) void fleet.spawn(1).catch(() => undefined);
        }
        // Replacements still starting are not waited for: the live workers carry on meanwhile.
        const stormMs = Date.now() - stormBegan;
        note(
          `${fleet.kills} workers SIGKILLed in ${(stormMs / 1000).toFixed(1)} s, ${fleet.spawned} processes started`,
        );
        const expected = await Promise.all(inputs.map((i) => wf.run(i)));
        const check = await checkCompleted(
          store,
          orchestrator,
          runIds.map((runId, i) => ({
            runId,
            output: expected[i],
            items: STORM_ITEMS,
            counter: { field: 'hits', value: STORM_BRANCHES },
          })),
          size.settleMs,
        );
        const violations = [...check.violations];
        // Half the pace at least: on a loaded machine a kill and its wait for the exit take a while too.
        const minKills = Math.max(2, Math.floor(size.storm.chaosMs / size.storm.killEveryMs[1] / 2));
        if (fleet.kills < minKills) violations.push(`only ${fleet.kills} kills (expected ≥ ${minKills})`);
        const totalMs = Date.now() - stormBegan;
        return {
          outcome:
            `${check.completed}/${runIds.length} completed exactly, ${fleet.kills} kills, ` +
            `${check.completed === runIds.length ? check.started - runIds.length * STORM_ITEMS : '?'} steps re-run, all done ${(totalMs / 1000).toFixed(1)} s after the storm began`,
          violations,
        };
      });
    },
  };
}
