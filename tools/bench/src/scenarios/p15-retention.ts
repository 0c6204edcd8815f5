import { isFloxideError, node, workflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker } from '@floxide/distributed';
import { canStartPrivateRedis, startPrivateRedis } from '../env/private-redis.js';
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
    // A private redis-server, so `INFO memory` counts only this scenario's keys.
    const privateRedis = canStartPrivateRedis() ? await startPrivateRedis() : undefined;
    const urls = { ...options, redisUrl: privateRedis?.url ?? options.redisUrl };
    // `BENCH_P15_BACKENDS=redis` (or `postgres`, `memory`, comma-separated) measures those backends only.
    const only = process.env['BENCH_P15_BACKENDS']?.split(',');
    const sides = fleetBackends(urls, { completedMs: retentionMs }).filter(
      (_, i) => only === undefined || only.includes(['memory', 'redis', 'postgres'][i] ?? ''),
    );
    try {
      for (const create of sides) {
        const side = await create();
        const problems: string[] = [];
        const footprints: number[] = [];
        const bytes: number[] = [];
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
            const ids = await Promise.all(
              Array.from({ length: perWave }, (_, i) => orchestrator.start(wf, i)),
            );
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
            if (side.bytes) bytes.push(await side.bytes());
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
        if (bytes.length > 0) {
          // From the middle wave on: the first waves fill what has a length cap (the change feed's streams,
          // BullMQ's event stream) and the allocator's pools; after that, retention must keep it flat.
          const middle = bytes[Math.floor(bytes.length / 2)] ?? Number.NaN;
          const end = bytes[bytes.length - 1] ?? Number.NaN;
          const mb = (b: number): string => `${formatNumber(b / 1_048_576)} MB`;
          options.log(`  ${side.label}: ${bytes.map(mb).join(' → ')}`);
          const bytesGrowth = safeRatio(end, middle);
          rows.push({
            contender: side.label,
            case: `bytes after wave ${waves}`,
            figure: Math.round((end / 1_048_576) * 100) / 100,
            unit: 'MB',
            note: `after each wave: ${bytes.map(mb).join(', ')}`,
          });
          targets.push({
            target: `P15 ${side.label}: bytes flat (last wave within 20% of the middle wave)`,
            met: Number.isFinite(bytesGrowth) && bytesGrowth <= 1.2,
            actual: `${formatNumber(bytesGrowth)}× (${mb(end)} vs ${mb(middle)})`,
          });
        }
      }
    } finally {
      await privateRedis?.stop();
    }
    const notes = [
      `${waves} waves of ${perWave} completed ${STEPS}-step runs, retention completedMs ${retentionMs}, retention sweeps every 100–200 ms; after each wave the scenario waits one retention period and a sweep, then counts what the backend stores (Memory: runs held; Redis: keys of the prefix, BullMQ's included; PostgreSQL: rows of the run tables). Bytes: Redis used_memory of a private redis-server started for the scenario (server-wide: on the shared server when none can be started); Postgres the run tables' total relation size after a plain VACUUM of each. --runs N sets the runs per wave; BENCH_P15_BACKENDS picks backends.`,
    ];
    return { verified, checks, rows, targets, notes };
  },
};
