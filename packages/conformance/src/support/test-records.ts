import type { ErrorInfo } from '@floxide/core';
import type {
  AdvanceOutcome,
  BranchFrame,
  ContextOp,
  FailedOutcome,
  JoinArrival,
  RetryOutcome,
  WorkItem,
} from '@floxide/core/engine';
import type { Backend, Lease, NewRun, StepCommit } from '@floxide/distributed';
import { waitFor } from './wait-for.js';

/** Workflow name the hand-built records use; backends never resolve it, they only store it. */
export const TEST_WORKFLOW = 'conformance';

/** Fields of {@link testItem}; everything but `runId` and `itemId` has a default. */
export interface TestItemFields {
  readonly runId: string;
  readonly itemId: string;
  readonly node?: string;
  readonly input?: unknown;
  readonly attempt?: number;
  readonly branches?: readonly BranchFrame[];
  readonly workflow?: string;
  readonly deadlineAt?: number;
}

/** Builds a work item by hand (plain JSON, as the engine would produce it). */
export function testItem(fields: TestItemFields): WorkItem {
  const item: WorkItem = {
    itemId: fields.itemId,
    runId: fields.runId,
    workflow: fields.workflow ?? TEST_WORKFLOW,
    version: 1,
    node: fields.node ?? 'step',
    input: fields.input ?? null,
    attempt: fields.attempt ?? 1,
    branches: fields.branches ?? [],
  };
  return fields.deadlineAt === undefined ? item : { ...item, deadlineAt: fields.deadlineAt };
}

/** Options of {@link testRun}. */
export interface TestRunOptions {
  readonly workflow?: string;
  readonly input?: unknown;
  readonly context?: unknown;
  readonly createdAt?: number;
}

/** A {@link NewRun} whose start item is `<runId>:start` on node `start`. */
export function testRun(runId: string, options: TestRunOptions = {}): NewRun {
  const workflow = options.workflow ?? TEST_WORKFLOW;
  const input = options.input ?? { n: 1 };
  return {
    runId,
    workflow,
    version: 1,
    input,
    context: options.context ?? { n: 0 },
    startItem: testItem({ runId, itemId: `${runId}:start`, node: 'start', input, workflow }),
    createdAt: options.createdAt ?? Date.now(),
  };
}

/** Fields of {@link advance}. */
export interface AdvanceFields {
  readonly successors?: readonly WorkItem[];
  readonly joins?: readonly JoinArrival[];
  readonly output?: unknown;
  readonly contextOps?: readonly ContextOp[];
  readonly transition?: AdvanceOutcome['transition'];
}

/** A successful step outcome; `output` present (even `null`) makes the step terminal. */
export function advance(fields: AdvanceFields = {}): AdvanceOutcome {
  const outcome: AdvanceOutcome = {
    kind: 'advance',
    transition: fields.transition ?? (fields.successors && fields.successors.length > 1 ? 'nextAll' : 'next'),
    successors: fields.successors ?? [],
    joins: fields.joins ?? [],
    contextOps: fields.contextOps ?? [],
    durationMs: 1,
  };
  return 'output' in fields ? { ...outcome, output: { value: fields.output } } : outcome;
}

/** An error summary as a failing node would report it. */
export function testError(message = 'boom', code = 'NODE_FAILED'): ErrorInfo {
  return { name: 'NodeError', code, message };
}

/** A retry outcome for `item`, its next attempt visible after `delayMs`. */
export function retry(item: WorkItem, delayMs: number, error: ErrorInfo = testError()): RetryOutcome {
  return { kind: 'retry', error, delayMs, retryItem: { ...item, attempt: item.attempt + 1 }, durationMs: 1 };
}

/** A failed outcome; without `fallback` items the item dies and the run fails. */
export function failed(error: ErrorInfo = testError(), fallback: readonly WorkItem[] = []): FailedOutcome {
  return { kind: 'failed', error, fallback, durationMs: 1 };
}

/** A commit of `outcome` under `lease`, optionally with a context update. */
export function stepCommit(
  lease: Lease,
  outcome: StepCommit['outcome'],
  context?: StepCommit['context'],
): StepCommit {
  const step: StepCommit = { lease, outcome, at: Date.now() };
  return context === undefined ? step : { ...step, context };
}

/** Options of {@link leaseN}. */
export interface LeaseNOptions {
  readonly workerId?: string;
  readonly leaseMs?: number;
  readonly timeoutMs?: number;
}

/**
 * Leases exactly `count` items, polling until they are all claimed (items may become ready a little after
 * the call that enqueued them on some backends). Fails when more than `count` are handed out.
 */
export async function leaseN(backend: Backend, count: number, options: LeaseNOptions = {}): Promise<Lease[]> {
  const { workerId = 'conformance-worker', leaseMs = 30_000, timeoutMs = 10_000 } = options;
  const leases: Lease[] = [];
  await waitFor(
    async () => {
      const got = await backend.queue.lease({ workerId, leaseMs, max: count - leases.length });
      leases.push(...got);
      if (leases.length > count) throw new Error(`leased ${leases.length} items, expected ${count}`);
      return leases.length === count;
    },
    { timeoutMs, message: `${count} leases` },
  );
  return leases;
}

/** Leases exactly one item; see {@link leaseN}. */
export async function leaseOne(backend: Backend, options: LeaseNOptions = {}): Promise<Lease> {
  const [lease] = await leaseN(backend, 1, options);
  if (!lease) throw new Error('leaseOne: no lease');
  return lease;
}

/** Starts `run` and leases its start item: the usual first two moves of a commit test. */
export async function startAndLease(
  backend: Backend,
  run: NewRun,
  options: LeaseNOptions = {},
): Promise<Lease> {
  await backend.startRun(run);
  return leaseOne(backend, options);
}

/** Options of {@link leaseBranches}. */
export interface LeaseBranchesOptions extends TestRunOptions {
  readonly leaseMs?: number;
}

/**
 * Starts run `runId`, commits its start item with `count` successors on node `branch` (ids
 * `<runId>:b<i>`, input `i`) and leases them all: a run with `count` steps in flight at once.
 */
export async function leaseBranches(
  backend: Backend,
  runId: string,
  count: number,
  options: LeaseBranchesOptions = {},
): Promise<Lease[]> {
  const start = await startAndLease(backend, testRun(runId, options));
  const successors = Array.from({ length: count }, (_, i) =>
    testItem({ runId, itemId: `${runId}:b${i}`, node: 'branch', input: i }),
  );
  const result = await backend.commit(stepCommit(start, advance({ successors, transition: 'nextAll' })));
  if (result.status !== 'committed') throw new Error(`leaseBranches: start commit was ${result.status}`);
  return leaseN(backend, count, options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs });
}
