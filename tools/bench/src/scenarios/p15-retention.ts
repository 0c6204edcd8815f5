import { isFloxideError, node, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import { fleetBackends } from '../floxide/fleet-backends.js';
import { safeRatio } from '../measure/stats.js';
import { formatNumber } from '../report/format-number.js';
import type { ResultRow, TargetResult } from '../report/scenario-result.js';
import type { Scenario } from './scenario.js';

const STEPS = 5;

/**
 * P15: retention keeps storage flat. Waves of completed 5-step runs with a retention of about a second: the
 * backend's stored records after the last wave next to those after the first.
 */
export const p15Retention: Scenario = {
  id: 'p15',
  title: 'Retention: stored records stay flat while completed runs keep coming (retention ~1 s)',
  async run(options) {
    const waves = options.smoke ? 4 : 20;
    const perWave = options.runs ?? (options.smoke ? 25 : 1_000);
    const retentionMs = 1_000;
    const rows: ResultRow[] = [];
    const targets: TargetResult[] = [];
    const checks: string[] = [];
    let verified = true;
    const steps = Array.from({ length: STEPS }, (_, i) =>
      node({ name: `s${i}`, process: (n: number) => n + 1 }),
    );
    let builder = workflow({ name: 'retained' }).start(steps[0] as (typeof steps)[number]);
    for (let i = 1; i < steps.length; i++) builder = builder.edge(steps[i - 1] as never, steps[i] as never);
    const wf = builder.build();
    for (const create of fleetBackends(options, { completedMs: retentionMs })) {
      const side = await create();
      const problems: string[] = [];
      const footprints: number[] = [];
      let unit = '';
      const worker = new DistributedWorker({
        backend: side.backend,
        workflows: [wf],
        concurrency: 16,
        idleWaitMs: 200,
      });
      try {
        await worker.start();
        const orchestrator = new DistributedOrchestrator({ backend: side.backend, workflows: [wf] });
        for (let wave = 0; wave < waves; wave++) {
          const ids = await Promise.all(Array.from({ length: perWave }, (_, i) => orchestrator.start(wf, i)));
          for (const id of ids) {
            // A run deleted by retention before this wait read it is a finished run: that is the point.
            const status = await orchestrator.wait(id, { timeoutMs: 120_000 }).then(
              (info) => info.status,
              (error: unknown) => (isFloxideError(error, 'RUN_NOT_FOUND') ? 'completed' : String(error)),
            );
            if (status !== 'completed') problems.push(`${id}: ${status}`);
          }
          // Wait out one retention period plus a sweep, then take the footprint.
          await new Promise((resolve) => setTimeout(resolve, retentionMs + 600));
          const f = await side.footprint();
          unit = f.unit;
          footprints.push(f.figure);
        }
      } finally {
        await worker.close({ graceMs: 0 });
        await side.dispose();
      }
      const first = footprints[0] ?? Number.NaN;
      const last = footprints[footprints.length - 1] ?? Number.NaN;
      options.log(`  ${side.label}: ${footprints.join(' → ')} ${unit}`);
      verified &&= problems.length === 0;
      checks.push(
        problems.length === 0
          ? `${side.label}: ${waves} waves of ${perWave} runs completed`
          : `${side.label}: FAILED — ${problems.slice(0, 5).join('; ')}`,
      );
      const growth = safeRatio(last + 1, first + 1);
      rows.push(
        { contender: side.label, case: 'after the first wave', figure: first, unit },
        {
          contender: side.label,
          case: `after wave ${waves}`,
          figure: last,
          unit,
          note: `${formatNumber(waves * perWave)} runs completed in all; footprints ${footprints.join(', ')}`,
        },
      );
      targets.push({
        target: `P15 ${side.label}: stored records flat (last wave within 20% of the first, +1)`,
        met: Number.isFinite(growth) && growth <= 1.2,
        actual: `${formatNumber(growth)}× (${last} vs ${first} ${unit})`,
      });
    }
    const notes = [
      `${waves} waves of ${perWave} completed ${STEPS}-step runs, retention completedMs ${retentionMs}, retention sweeps every 100–200 ms; after each wave the scenario waits one retention period and a sweep, then counts what the backend stores (Memory: runs held; Redis: keys of the prefix, BullMQ's included; PostgreSQL: rows of the run tables). Counts, not bytes: INFO memory is server-wide on a shared Redis.`,
    ];
    return { verified, checks, rows, targets, notes };
  },
};
