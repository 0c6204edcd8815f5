import { type AnyWorkflow, type ContextFieldKind, type LoggedEvent } from '@floxide/core';
import { contextLayout } from '@floxide/core/engine';
import type { Backend } from '../contracts/backend.js';

/** How many runs' event logs one worker keeps cached (least recently used runs are dropped first). */
const CACHED_RUNS = 64;

/**
 * A worker's cache of the event logs of the runs it serves.
 *
 * @remarks
 * Event logs only grow at their end, so a cached prefix never goes stale: each step asks the backend for
 * the events after the cached ones only, and a fan-out of N appending branches ships each event to a
 * worker once instead of the whole log to every step (O(N) instead of O(N²)). The arrays are shared by
 * the steps of a run running on this worker and only ever appended to, so a node reading a log sees at
 * least everything committed before its step started, possibly more.
 */
export class EventLogCache {
  readonly #runs = new Map<string, Map<string, LoggedEvent<unknown>[]>>();

  /** The cached logs of a run (created empty), marking the run as recently used. */
  logsOf(runId: string): Map<string, LoggedEvent<unknown>[]> {
    let logs = this.#runs.get(runId);
    if (logs) this.#runs.delete(runId);
    else logs = new Map();
    this.#runs.set(runId, logs);
    if (this.#runs.size > CACHED_RUNS) {
      const oldest = this.#runs.keys().next().value;
      if (oldest !== undefined) this.#runs.delete(oldest);
    }
    return logs;
  }
}

/** The context a step runs against: every field's state, plus the reducers' per-field versions. */
export interface StepContext {
  readonly state: Record<string, unknown>;
  readonly versions: Map<string, number>;
}

/** The workflow's fields split by how they are read. */
interface ReadPlan {
  readonly layout: Record<string, ContextFieldKind>;
  readonly fields: string[];
  readonly logs: string[];
}

const plans = new WeakMap<AnyWorkflow, ReadPlan>();

function planOf(workflow: AnyWorkflow): ReadPlan {
  let plan = plans.get(workflow);
  if (!plan) {
    const layout = contextLayout(workflow);
    const fields: string[] = [];
    const logs: string[] = [];
    for (const [name, kind] of Object.entries(layout)) (kind === 'eventLog' ? logs : fields).push(name);
    plan = { layout, fields, logs };
    plans.set(workflow, plan);
  }
  return plan;
}

/**
 * Reads what a step needs of its run's context in one backend call: every field but the event logs
 * (small by nature: numbers, registers, reducer states), and of each event log only the events this
 * worker has not cached yet. `undefined` when the run is gone.
 */
export async function readStepContext(
  backend: Backend,
  workflow: AnyWorkflow,
  runId: string,
  cache: EventLogCache,
): Promise<StepContext | undefined> {
  const plan = planOf(workflow);
  const cached = cache.logsOf(runId);
  // The arrays are captured before the read, so positions stay right even if the run is evicted meanwhile.
  const arrays = plan.logs.map((name) => {
    let events = cached.get(name);
    if (!events) {
      events = [];
      cached.set(name, events);
    }
    return events;
  });
  const from: Record<string, number> = {};
  plan.logs.forEach((name, i) => (from[name] = (arrays[i] as LoggedEvent<unknown>[]).length));
  const read = await backend.context.read(runId, { layout: plan.layout, fields: plan.fields, logs: from });
  if (!read) return undefined;
  const state: Record<string, unknown> = {};
  const versions = new Map<string, number>();
  for (const name of plan.fields) {
    const field = read.fields[name];
    state[name] = field?.value ?? null;
    versions.set(name, field?.version ?? 0);
  }
  plan.logs.forEach((name, i) => {
    const events = arrays[i] as LoggedEvent<unknown>[];
    const start = from[name] as number;
    const tail = read.logs[name] ?? [];
    // Another step of this run may have appended the same tail meanwhile: skip what is already there.
    for (let k = events.length - start; k < tail.length; k += 1) events.push(tail[k] as LoggedEvent<unknown>);
    state[name] = events;
  });
  return { state, versions };
}

/** Re-reads the named reducer fields only (after a `conflict`), updating `context` in place. */
export async function rereadFields(
  backend: Backend,
  workflow: AnyWorkflow,
  runId: string,
  context: StepContext,
  fields: readonly string[],
): Promise<boolean> {
  const read = await backend.context.read(runId, { layout: planOf(workflow).layout, fields, logs: {} });
  if (!read) return false;
  for (const name of fields) {
    const field = read.fields[name];
    context.state[name] = field?.value ?? null;
    context.versions.set(name, field?.version ?? 0);
  }
  return true;
}
