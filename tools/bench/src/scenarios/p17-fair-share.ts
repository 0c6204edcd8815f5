import { node, Transition, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import { fleetBackends } from '../floxide/fleet-backends.js';
import { formatNumber } from '../report/format-number.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { Scenario } from './scenario.js';

const CONCURRENCY = 8;
/** Backlog steps that must have started before the second run is started (the backlog is being served). */
const WARM_STEPS = 200;
/** Targets: the second run's first step starts within this many backlog steps and this long. */
const MAX_AHEAD = 1_000;
const MAX_WAIT_MS = 5_000;

/** What the two runs did, as seen by the steps. */
interface Probe {
  bigSteps: number;
  /** Backlog steps started when the second run was started, and when its first step started. */
  aheadFrom: number;
  aheadTo: number;
  firstStepAt: number;
  readonly seen: Set<number>;
  duplicates: number;
}

/** `spread` fans out `n` leaves, joined by `collect`; the leaves of the `big` run are counted. */
function backlogWorkflow(probe: Probe) {
  const spread = node({
    name: 'spread',
    process: (input: { label: string; n: number }) => {
      if (input.label === 'small' && probe.firstStepAt === 0) {
        probe.firstStepAt = Date.now();
        probe.aheadTo = probe.bigSteps;
      }
      return Transition.nextAll(Array.from({ length: input.n }, (_, i) => ({ label: input.label, i })));
    },
  });
  const leaf = node({
    name: 'leaf',
    process: (x: { label: string; i: number }) => {
      if (x.label === 'big') {
        probe.bigSteps += 1;
        if (probe.seen.has(x.i)) probe.duplicates += 1;
        probe.seen.add(x.i);
      }
      return x.i;
    },
  });
  const collect = node({ name: 'collect', process: (values: number[]) => values.length });
  return workflow({ name: 'bench-fair' })
    .start(spread)
    .join(collect, { from: spread })
    .edge(spread, leaf)
    .edge(leaf, collect)
    .build();
}

/**
 * P17: fair share. A run fans out a large backlog (50,000 items); once it is being served, a second run
 * of the same workflow and priority is started: the time until its first step and how many backlog steps
 * ran before it. Without fair share it waits for the whole backlog.
 */
export const p17FairShare: Scenario = {
  id: 'p17',
  title: 'Fair share: a run started behind a 50,000-item backlog of equal priority — time to its first step',
  async run(options) {
    const backlog = options.runs ?? (options.smoke ? 2_000 : 50_000);
    const rows: ResultRow[] = [];
    const targets: TargetResult[] = [];
    const checks: string[] = [];
    let verified = true;
    // Redis and Postgres (the Memory backend is covered by the conformance scenario).
    for (const create of fleetBackends(options).slice(1)) {
      const side = await create();
      const probe: Probe = {
        bigSteps: 0,
        aheadFrom: 0,
        aheadTo: 0,
        firstStepAt: 0,
        seen: new Set(),
        duplicates: 0,
      };
      const wf = backlogWorkflow(probe);
      const orchestrator = new DistributedOrchestrator({ backend: side.backend, workflows: [wf] });
      const worker = new DistributedWorker({
        backend: side.backend,
        workflows: [wf],
        concurrency: CONCURRENCY,
        idleWaitMs: 200,
      });
      await worker.start();
      try {
        const big = await orchestrator.start(wf, { label: 'big', n: backlog });
        const warmBy = Date.now() + 300_000;
        while (probe.bigSteps < WARM_STEPS && Date.now() < warmBy)
          await new Promise((resolve) => setTimeout(resolve, 20));
        probe.aheadFrom = probe.bigSteps;
        const startedAt = Date.now();
        const small = await orchestrator.start(wf, { label: 'small', n: 3 });
        const info = await orchestrator.wait(small, { timeoutMs: 300_000 });
        const waitMs = probe.firstStepAt - startedAt;
        const ahead = probe.aheadTo - probe.aheadFrom;
        const remaining = backlog - probe.bigSteps;
        await orchestrator.cancel(big);
        const ok = info.status === 'completed' && info.output === 3 && probe.duplicates === 0;
        verified &&= ok;
        checks.push(
          ok
            ? `${side.label}: the second run completed (output 3) while ${formatNumber(remaining)} backlog items were still queued; no backlog step ran twice`
            : `${side.label}: FAILED — second run ${info.status} ${JSON.stringify(info.output)}, ${probe.duplicates} backlog steps ran twice`,
        );
        options.log(
          `  ${side.label}: first step after ${waitMs} ms, ${ahead} backlog steps ahead of it, ${remaining} still queued`,
        );
        rows.push(
          { contender: side.label, case: 'time to the second run’s first step', figure: waitMs, unit: 'ms' },
          { contender: side.label, case: 'backlog steps run before it', figure: ahead, unit: 'steps' },
        );
        targets.push({
          target: `P17 ${side.label}: the second run's first step within ${MAX_AHEAD} backlog steps and ${MAX_WAIT_MS} ms`,
          met: ahead <= MAX_AHEAD && waitMs <= MAX_WAIT_MS,
          actual: `${ahead} steps, ${waitMs} ms`,
        });
      } finally {
        await worker.close({ graceMs: 0 });
        await side.dispose();
      }
    }
    const notes = [
      `One worker at concurrency ${CONCURRENCY} in this process. A run fans out ${formatNumber(backlog)} one-step leaves (joined at the end); once ${WARM_STEPS} of them started, a second run of the same workflow and priority is started. Without fair share its first step waits for the whole backlog; with it, for about one item per run with a backlog plus the items already fetched. The backlog run is cancelled once the second run completed.`,
    ];
    return { verified, checks, rows, targets, notes };
  },
};
