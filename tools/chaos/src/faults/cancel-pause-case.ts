import { isFloxideError } from '@floxide/core';
import type { Backend, DistributedOrchestrator } from '@floxide/distributed';
import type { FaultCase } from './fault-case.js';
import { allEvents, checkCompleted, mapLimited } from './check-runs.js';
import { slowWorkflow } from './fault-workflows.js';
import { InProcessWorkers } from './in-process-workers.js';
import { NodeWatch } from './node-watch.js';
import { between, sleep, withTarget } from './with-target.js';

const WORKERS = 2;
const CONCURRENCY = 8;
/** A node still meant to sleep this long after `cancel` returned must have seen its signal abort (ms). */
const ABORT_SLACK_MS = 600;

interface Cancelled {
  readonly runId: string;
  /** When `cancel` returned; undefined when the run had already finished. */
  readonly returnedAt?: number;
  readonly committedThen: ReadonlySet<string>;
}

interface Paused {
  readonly runId: string;
  readonly pausedAt?: number;
  readonly resumedAt?: number;
}

async function committedItems(backend: Backend, runId: string): Promise<Set<string>> {
  const events = await allEvents(backend, runId);
  return new Set(events.filter((e) => e.type === 'step.committed').map((e) => e.itemId ?? ''));
}

/** True when `error` says the run had already finished (a cancel or pause that came too late). */
function finishedAlready(error: unknown): boolean {
  return isFloxideError(error, 'RUN_STATE');
}

async function cancelAt(
  orchestrator: DistributedOrchestrator,
  backend: Backend,
  runId: string,
  ms: number,
): Promise<Cancelled> {
  await sleep(ms);
  try {
    await orchestrator.cancel(runId);
  } catch (error) {
    if (finishedAlready(error)) return { runId, committedThen: new Set() };
    throw error;
  }
  const returnedAt = Date.now();
  return { runId, returnedAt, committedThen: await committedItems(backend, runId) };
}

async function pauseAt(
  orchestrator: DistributedOrchestrator,
  runId: string,
  ms: number,
  holdMs: number,
): Promise<Paused> {
  await sleep(ms);
  try {
    await orchestrator.pause(runId);
  } catch (error) {
    if (finishedAlready(error)) return { runId };
    throw error;
  }
  const pausedAt = Date.now();
  await sleep(holdMs);
  const resumedAt = Date.now();
  try {
    await orchestrator.resume(runId);
  } catch (error) {
    // Its last node was in flight when the pause came: that step's commit ends the run, paused or not.
    if (!finishedAlready(error)) throw error;
  }
  return { runId, pausedAt, resumedAt };
}

/**
 * Cancel/pause under load: runs of three slow nodes on in-process workers (so node code can be watched);
 * some are cancelled and some paused at random moments. After `cancel` returns nothing of that run
 * commits or starts and in-flight nodes see their signal abort; no node of a paused run starts while it
 * is paused (a lease taken before the pause excepted), and it completes exactly after `resume`.
 */
export function cancelPauseCase(): FaultCase {
  return {
    name: 'cancel/pause under load',
    async run({ backend, size, note }) {
      const watch = new NodeWatch();
      return withTarget(
        backend,
        async ({ target, backend: store, orchestrator }) => {
          const wf = slowWorkflow();
          const { runs, cancel, pause, nodeMs } = size.cancelPause;
          const workers = await InProcessWorkers.start(target, WORKERS, {
            observer: watch,
            concurrency: CONCURRENCY,
          });
          try {
            const order = Array.from({ length: runs }, (_, i) => i).sort(() => Math.random() - 0.5);
            const runIds = await mapLimited(
              Array.from({ length: runs }, (_, i) => i),
              8,
              (n) => orchestrator.start(wf, { n, ms: nodeMs }),
            );
            // Roughly how long the load lasts: moments are drawn from its first 80%.
            const loadMs = (runs * 3 * nodeMs) / (WORKERS * CONCURRENCY);
            const moment = (): number => between(0, Math.round(loadMs * 0.8));
            const cancelled = order.slice(0, cancel).map((i) => runIds[i] as string);
            const paused = order.slice(cancel, cancel + pause).map((i) => runIds[i] as string);
            const [cancels, pauses] = await Promise.all([
              Promise.all(cancelled.map((id) => cancelAt(orchestrator, store, id, moment()))),
              Promise.all(
                paused.map((id) => pauseAt(orchestrator, id, moment(), between(nodeMs, 3 * nodeMs))),
              ),
            ]);
            const cancelledSet = new Set(cancelled);
            const check = await checkCompleted(
              store,
              orchestrator,
              runIds
                .map((runId, n) => ({
                  runId,
                  output: { n, steps: 3 },
                  items: 3,
                  counter: { field: 'steps', value: 3 },
                }))
                .filter(
                  (r) =>
                    !cancelledSet.has(r.runId) ||
                    cancels.find((c) => c.runId === r.runId)?.returnedAt === undefined,
                ),
              size.settleMs,
            );
            // In-flight steps of cancelled runs end (aborted) within the slack; then nothing may move.
            await sleep(ABORT_SLACK_MS + 500);
            const violations = [...check.violations];
            let aborted = 0;
            let slowestAbortMs = 0;
            for (const c of cancels) {
              if (c.returnedAt === undefined) continue;
              const returnedAt = c.returnedAt;
              const [info, events, pending] = await Promise.all([
                orchestrator.get(c.runId),
                allEvents(store, c.runId),
                store.queue.pending(c.runId),
              ]);
              if (info.status !== 'cancelled')
                violations.push(`cancelled run ${c.runId} ended ${info.status}`);
              const lateCommits = events.filter(
                (e) =>
                  e.type === 'step.committed' && (e.at > returnedAt || !c.committedThen.has(e.itemId ?? '')),
              );
              if (lateCommits.length > 0)
                violations.push(
                  `run ${c.runId}: ${lateCommits.map((e) => e.node).join(', ')} committed after cancel returned`,
                );
              const lateStarts = events.filter((e) => e.type === 'step.started' && e.at > returnedAt);
              if (lateStarts.length > 0)
                violations.push(
                  `run ${c.runId}: ${lateStarts.map((e) => e.node).join(', ')} started after cancel returned`,
                );
              if (pending.length > 0)
                violations.push(`run ${c.runId}: ${pending.length} item(s) pending after cancel`);
              for (const s of watch.starts(c.runId)) {
                if (s.at + nodeMs <= returnedAt + ABORT_SLACK_MS) continue;
                const at = watch.abortedAt(c.runId, s.itemId);
                if (at === undefined)
                  violations.push(`run ${c.runId}: in-flight item ${s.itemId} was never aborted`);
                else {
                  aborted += 1;
                  slowestAbortMs = Math.max(slowestAbortMs, at - returnedAt);
                }
              }
            }
            let startsInPause = 0;
            for (const p of pauses) {
              if (p.pausedAt === undefined || p.resumedAt === undefined) continue;
              const { pausedAt, resumedAt } = p;
              const events = await allEvents(store, p.runId);
              const inside = (at: number): boolean => at > pausedAt && at < resumedAt;
              const claimed = events.filter((e) => e.type === 'step.started' && inside(e.at));
              if (claimed.length > 0)
                violations.push(
                  `run ${p.runId}: ${claimed.map((e) => e.node).join(', ')} leased while paused`,
                );
              for (const s of watch.starts(p.runId)) {
                if (!inside(s.at)) continue;
                startsInPause += 1;
                const leasedBefore = events.some(
                  (e) =>
                    e.type === 'step.started' &&
                    e.itemId === s.itemId &&
                    e.attempt === s.attempt &&
                    e.at <= pausedAt,
                );
                if (!leasedBefore) violations.push(`run ${p.runId}: item ${s.itemId} started while paused`);
              }
            }
            const effective = cancels.filter((c) => c.returnedAt !== undefined).length;
            const heldPauses = pauses.filter((p) => p.pausedAt !== undefined).length;
            note(`${startsInPause} node start(s) inside a pause came from leases taken before it`);
            return {
              outcome:
                `${runs} runs: ${effective}/${cancel} cancelled mid-run (${aborted} in-flight nodes aborted, slowest ${slowestAbortMs} ms after cancel), ` +
                `${heldPauses}/${pause} paused and resumed, ${check.completed} completed exactly`,
              violations,
            };
          } finally {
            await workers.close();
          }
        },
        { observer: watch },
      );
    },
  };
}
