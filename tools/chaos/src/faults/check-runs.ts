import { isDeepStrictEqual } from 'node:util';
import type { Backend, DistributedOrchestrator, RunEvent, RunInfo } from '@floxide/distributed';

/** A run that must complete: its expected output, how many work items it has, its counter's final value. */
export interface ExpectedRun {
  readonly runId: string;
  readonly output: unknown;
  readonly items: number;
  /** Context field holding a counter, and the value it must end at. */
  readonly counter?: { readonly field: string; readonly value: number };
}

/** Figures of {@link checkCompleted}: violations, and how many steps were started (re-leases included). */
export interface CheckFigures {
  readonly violations: string[];
  readonly completed: number;
  readonly started: number;
  readonly slowestMs: number;
}

/** Every event of a run, read page by page. */
export async function allEvents(backend: Backend, runId: string): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for (;;) {
    const page = await backend.events.read(runId, events.at(-1)?.seq ?? 0, 1_000);
    events.push(...page);
    if (page.length < 1_000) return events;
  }
}

/** Runs `fn` over `values` with at most `limit` calls in flight. */
export async function mapLimited<T, R>(
  values: readonly T[],
  limit: number,
  fn: (v: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(values.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, values.length) }, async () => {
    while (next < values.length) {
      const i = next++;
      out[i] = await fn(values[i] as T);
    }
  });
  await Promise.all(lanes);
  return out;
}

/**
 * Waits for every run (each within `timeoutMs`) and checks it through the public stores: completed with
 * the expected output, counter exact, every item completed and committed exactly once (one
 * `step.committed` event per item, metrics agree), nothing left pending.
 */
export async function checkCompleted(
  backend: Backend,
  orchestrator: DistributedOrchestrator,
  runs: readonly ExpectedRun[],
  timeoutMs: number,
): Promise<CheckFigures> {
  const violations: string[] = [];
  const began = Date.now();
  let started = 0;
  let completed = 0;
  let slowestMs = 0;
  const note = (runId: string, what: string): void => {
    // Many runs failing the same way would flood the report: the first 20 are enough to see the pattern.
    if (violations.length < 20) violations.push(`run ${runId}: ${what}`);
    else if (violations.length === 20) violations.push('… (more violations left out)');
  };
  await mapLimited(runs, 16, async (run) => {
    const info: RunInfo | undefined = await orchestrator
      .wait(run.runId, { timeoutMs: Math.max(1_000, timeoutMs - (Date.now() - began)) })
      .catch(() => undefined);
    if (info === undefined) {
      // Say where it stands: a run that finished but whose wait missed it is another fault than a stall.
      const [now, metrics] = await Promise.all([orchestrator.get(run.runId), backend.metrics.get(run.runId)]);
      return note(
        run.runId,
        `did not end within ${timeoutMs} ms (wait timed out; status now ${now.status}, ` +
          `${metrics?.completed ?? 0}/${run.items} items completed)`,
      );
    }
    slowestMs = Math.max(slowestMs, (info.finishedAt ?? Date.now()) - info.createdAt);
    if (info.status !== 'completed')
      return note(run.runId, `ended ${info.status} ${info.error?.code ?? ''} ${info.error?.message ?? ''}`);
    completed += 1;
    if (!isDeepStrictEqual(info.output, run.output))
      note(run.runId, `output ${JSON.stringify(info.output)} ≠ wf.run's ${JSON.stringify(run.output)}`);
    const [ctx, pending, items, metrics, events] = await Promise.all([
      backend.context.get(run.runId),
      backend.queue.pending(run.runId),
      backend.items.list(run.runId),
      backend.metrics.get(run.runId),
      allEvents(backend, run.runId),
    ]);
    started += events.filter((e) => e.type === 'step.started').length;
    if (run.counter) {
      const value = (ctx?.state as Record<string, unknown> | undefined)?.[run.counter.field];
      if (value !== run.counter.value)
        note(run.runId, `counter ${run.counter.field} = ${String(value)}, expected ${run.counter.value}`);
    }
    if (pending.length > 0) note(run.runId, `${pending.length} item(s) still pending`);
    const notDone = items.filter((i) => i.status !== 'completed');
    if (items.length !== run.items || notDone.length > 0)
      note(
        run.runId,
        `${items.length} items (expected ${run.items}), not completed: ${notDone.map((i) => `${i.node}=${i.status}`).join(', ')}`,
      );
    if (metrics === undefined) note(run.runId, 'no metrics stored');
    else if (metrics.totalItems !== run.items || metrics.completed !== run.items || metrics.running !== 0)
      note(
        run.runId,
        `metrics ${JSON.stringify({ total: metrics.totalItems, completed: metrics.completed, running: metrics.running })}`,
      );
    const commits = new Map<string, number>();
    for (const e of events)
      if (e.type === 'step.committed' && e.itemId !== undefined)
        commits.set(e.itemId, (commits.get(e.itemId) ?? 0) + 1);
    const twice = [...commits].filter(([, n]) => n !== 1);
    if (twice.length > 0 || commits.size !== run.items)
      note(
        run.runId,
        `${commits.size} items committed (expected ${run.items}), committed more than once: ${twice.map(([id, n]) => `${id}×${n}`).join(', ')}`,
      );
  });
  return { violations, completed, started, slowestMs };
}
