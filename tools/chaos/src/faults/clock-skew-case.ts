import type { DistributedOrchestrator, RunInfo } from '@floxide/distributed';
import type { FaultCase } from './fault-case.js';
import { checkCompleted, mapLimited } from './check-runs.js';
import { SKEW_RETRY_DELAY_MS, skewRetryWorkflow, skewSlowWorkflow } from './fault-workflows.js';
import { sleep, withTarget } from './with-target.js';

const HOUR = 3_600_000;
/** A run is on time when it ends within its own due time plus this (ms): an hour's skew would show. */
const ON_TIME_SLACK_MS = 10_000;
/**
 * Label of the runs with a deadline 60 s away that a worker an hour fast takes: they must complete, since
 * workers judge deadlines by the backend's clock (judged by its own, the worker failed them at once).
 */
const FAR_DEADLINE_LABEL = 'deadline 60 s away, worker +1 h';
/** A short deadline that must fire. */
const SHORT_DEADLINE_MS = 2_000;

interface Timed {
  readonly label: string;
  readonly runId: string;
  /** When the run is due to end at the latest, on this process's (right) clock. */
  readonly dueBy: number;
}

async function ended(
  orchestrator: DistributedOrchestrator,
  t: Timed,
): Promise<{ info?: RunInfo; lateMs: number }> {
  const info = await orchestrator
    .wait(t.runId, { timeoutMs: Math.max(1_000, t.dueBy - Date.now() + ON_TIME_SLACK_MS) })
    .catch(() => undefined);
  return { ...(info ? { info } : {}), lateMs: Date.now() - t.dueBy };
}

/**
 * Clock skew: every worker process has a wrong clock, one an hour fast and one an hour slow (the whole
 * process clock, BullMQ's and pg's included). Retries (durable delays), deadlines that must not fire,
 * deadlines that must fire (a running and a paused run), and pause/resume of a run whose successor was
 * parked meanwhile must all end correctly and on time by the right clock.
 */
export function clockSkewCase(): FaultCase {
  return {
    name: 'clock skew ±1 h',
    async run({ backend, size, note }) {
      return withTarget(backend, async ({ backend: store, orchestrator, fleet }) => {
        const retry = skewRetryWorkflow();
        const slow = skewSlowWorkflow();
        // The fast worker alone first: runs with a far deadline go to it for sure.
        await fleet.spawn(1, { CHAOS_CLOCK_SKEW_MS: String(HOUR), CHAOS_CONCURRENCY: '4' });
        const n = size.skew.runs;
        const now = (): number => Date.now();
        const range = Array.from({ length: n }, (_, i) => i);
        const violations: string[] = [];
        const generous = await mapLimited(range, 4, async () => ({
          label: FAR_DEADLINE_LABEL,
          runId: await orchestrator.start(slow, 300, { deadlineMs: 60_000 }),
          dueBy: now() + 300,
        }));
        const generousEnds = await Promise.all(generous.map((t) => ended(orchestrator, t)));
        await fleet.spawn(1, { CHAOS_CLOCK_SKEW_MS: String(-HOUR), CHAOS_CONCURRENCY: '4' });

        const retries = await mapLimited(range, 4, async (i) => ({
          label: 'retry',
          runId: await orchestrator.start(retry, i),
          dueBy: now() + 2 * SKEW_RETRY_DELAY_MS,
        }));
        const firing: Timed = {
          label: 'deadline fires (running)',
          runId: await orchestrator.start(slow, 30_000, { deadlineMs: SHORT_DEADLINE_MS }),
          dueBy: now() + SHORT_DEADLINE_MS,
        };
        const pausedId = await orchestrator.start(slow, 1_500, { deadlineMs: SHORT_DEADLINE_MS });
        await orchestrator.pause(pausedId);
        const pausedFiring: Timed = {
          label: 'deadline fires (paused)',
          runId: pausedId,
          dueBy: now() + SHORT_DEADLINE_MS,
        };

        // Pause while the slow step runs; its successor is parked on commit; resume must run it now.
        const resumed = await mapLimited(range, 4, async () => {
          const runId = await orchestrator.start(slow, 1_000);
          const until = now() + 15_000;
          while (now() < until && !(await store.items.list(runId)).some((i) => i.status === 'running'))
            await sleep(50);
          await orchestrator.pause(runId);
          while (now() < until && !(await store.items.list(runId)).some((i) => i.node === 'after'))
            await sleep(50);
          await orchestrator.resume(runId);
          return { label: 'resumed', runId, dueBy: now() };
        });

        let latest = -Infinity;
        let onTime = 0;
        let fired = 0;
        const timed = [...generous, ...retries, ...resumed, firing, pausedFiring];
        const ends = [
          ...generousEnds,
          ...(await Promise.all(timed.slice(generous.length).map((t) => ended(orchestrator, t)))),
        ];
        for (const [i, t] of timed.entries()) {
          const { info, lateMs } = ends[i] as { info?: RunInfo; lateMs: number };
          latest = Math.max(latest, lateMs);
          const fires = t === firing || t === pausedFiring;
          if (info === undefined) violations.push(`${t.label} run ${t.runId} did not end on time`);
          else if (fires && (info.status !== 'failed' || info.error?.code !== 'DEADLINE_EXCEEDED'))
            violations.push(
              `${t.label} run ${t.runId} ended ${info.status} ${info.error?.code ?? ''}, expected DEADLINE_EXCEEDED`,
            );
          else if (!fires && info.status !== 'completed')
            violations.push(
              `${t.label} run ${t.runId} ended ${info.status} ${info.error?.code ?? ''} ${info.error?.message ?? ''}`,
            );
          else if (lateMs > ON_TIME_SLACK_MS)
            violations.push(`${t.label} run ${t.runId} ended ${lateMs} ms after it was due`);
          else if (fires) fired += 1;
          else onTime += 1;
        }
        const check = await checkCompleted(
          store,
          orchestrator,
          [
            ...retries.map((r, i) => ({ runId: r.runId, output: { n: i, attempt: 3 }, items: 2 })),
            ...resumed.map((r) => ({ runId: r.runId, output: { slept: 1_000 }, items: 2 })),
          ],
          ON_TIME_SLACK_MS,
        );
        violations.push(...check.violations);
        // How late the short deadlines fired: the paused run's is the bound with no step of the run running.
        const lateOf = (t: Timed): number => (ends[timed.indexOf(t)] as { lateMs: number }).lateMs;
        note(
          `workers at +1 h and -1 h; ${timed.length} runs, the latest ended ${latest} ms after it was due; ` +
            `deadlines fired ${lateOf(firing)} ms (running) and ${lateOf(pausedFiring)} ms (paused) after due`,
        );
        return {
          outcome:
            `${onTime}/${timed.length - 2} completed on time (${check.completed} checked exactly), ${fired}/2 short deadlines fired ` +
            `(latest end ${(latest / 1000).toFixed(1)} s after due)`,
          violations,
        };
      });
    },
  };
}
