import {
  HandBackLimitError,
  isFloxideError,
  UnknownWorkflowError,
  type AnyWorkflow,
  type ErrorInfo,
  type Logger,
} from '@floxide/core';
import {
  executeStep,
  toErrorInfo,
  type StepOutcome,
  planFieldCommits,
  type FieldCommit,
} from '@floxide/core/engine';
import type { Backend, CommitResult, ContextCommit, StrandRequest } from '../contracts/backend.js';
import type { Lease } from '../contracts/work-queue.js';
import type { WorkflowRegistry } from '../registry/workflow-registry.js';
import { checkChild, childOfSignal, deliverToParent, mayBeChildRun, WorkerChildRuns } from './child-runs.js';
import { parkedOutcome, parkStep } from './park-step.js';
import { Backoff, sleep } from './sleep.js';
import { readStepContext, rereadFields, type EventLogCache, type StepContext } from './step-context.js';

/**
 * This process's clock moved onto the backend's (`undefined` when the backend has no clock): measured once
 * per step, so node timeouts still count local milliseconds while deadlines compare with backend time.
 */
async function backendNow(backend: Backend): Promise<(() => number) | undefined> {
  if (!backend.clock) return undefined;
  const offset = (await backend.clock.now()) - Date.now();
  return () => Date.now() + offset;
}

/** Why the worker itself aborted a running step (as opposed to the node's own timeout or the deadline). */
export type AbortReason = 'cancelled' | 'lost' | 'shutdown';

/** One leased item being executed by a worker. */
export interface InFlightStep {
  readonly lease: Lease;
  readonly controller: AbortController;
  reason?: AbortReason;
}

/** What a step run contributes to the worker's counters, and the strand's next item when one was leased. */
export interface StepResult {
  readonly processed: boolean;
  readonly error: boolean;
  /** The run's next item, leased to this worker by the step's commit (see `StrandRequest`). */
  readonly next?: Lease;
}

/** Asked at commit time: the strand continuation to request, or `undefined` to end the strand. */
export type StrandPolicy = () => StrandRequest | undefined;

/** Everything {@link runLeasedStep} needs from its worker. */
export interface StepRunnerOptions {
  readonly backend: Backend;
  readonly registry: WorkflowRegistry;
  readonly logger: Logger;
  readonly workerId: string;
  readonly unknownWorkflowDelayMs: number;
  /** Item ids this worker already reported as unknown, so a bouncing item is recorded once per worker. */
  readonly reportedUnknown: Set<string>;
  /** Hand-backs of one item attempt for an unclassified error before its step fails (`maxHandBacks`). */
  readonly maxHandBacks: number;
  /** Hand-backs this worker made, by `itemId:attempt` (a floor when the durable count cannot be read). */
  readonly handBacks: Map<string, number>;
  /** This worker's cache of event logs, so each step reads only the events it has not seen. */
  readonly eventLogs: EventLogCache;
  /** How often a parent parked on a child run looks at the child itself (ms; see `childCheckMs`). */
  readonly childCheckMs: number;
}

const COMMIT_ATTEMPTS = 5;

function hasContext(wf: AnyWorkflow): boolean {
  return wf.context !== undefined;
}

/** After this many reducer conflicts in a row the step is handed back (another try starts afresh). */
const CONFLICT_ROUNDS = 1_000;

/**
 * Runs one leased item to a committed step: resolve the workflow, read the context (every field but the
 * event logs, plus the log events this worker has not cached yet), execute the node, commit its context
 * operations per field (on a reducer conflict, re-read that field only, re-apply, commit again). Never
 * throws: every failure ends as an error record, a failed run, or a released lease, so the worker loop
 * keeps serving.
 */
export async function runLeasedStep(
  options: StepRunnerOptions,
  step: InFlightStep,
  strand: StrandPolicy = () => undefined,
): Promise<StepResult> {
  const { backend, logger } = options;
  const item = step.lease.item;
  const wf = options.registry.get(item.workflow, item.version);
  if (!wf) return reportUnknown(options, step);
  try {
    // A parked item leased without its signal: the wait timed out (or the deadline passed).
    if (item.parked !== undefined && item.delivered === undefined) return await runParked(options, step, wf);
    let context: StepContext | undefined;
    if (hasContext(wf)) {
      context = await readStepContext(backend, wf, item.runId, options.eventLogs);
      if (!context) {
        // The run is gone (e.g. the backend was cleared): nothing to run against.
        await backend.queue.release(step.lease);
        return { processed: false, error: false };
      }
    }
    // Deadlines are judged by the backend's clock: a worker whose clock is off must not fail runs early.
    const now = await backendNow(backend);
    const outcome = await executeStep({
      workflow: wf,
      item,
      context: context?.state,
      signal: step.controller.signal,
      logger,
      ...(now ? { now } : {}),
      // Children as runs of their own need parking; without signals `subflow` runs them in-process.
      ...(backend.signals ? { children: new WorkerChildRuns(backend, item, options.childCheckMs) } : {}),
    });
    if (step.reason !== undefined && outcome.kind !== 'advance') {
      // The failure is our own abort, not the node's: committing it would fail the item for nothing.
      if (step.reason !== 'lost') await backend.queue.release(step.lease);
      return { processed: false, error: false };
    }
    if (outcome.kind === 'advance' && outcome.wait !== undefined) {
      // Parked without a lease until its signal or timeout; nothing the step did is applied.
      const park = await parkStep(backend, logger, wf, step.lease, outcome.wait);
      if ('parked' in park) return { processed: true, error: false };
      await commitWithRetry(options, step.lease, park.unsupported, undefined);
      return { processed: true, error: true };
    }
    const ops = outcome.kind === 'advance' ? outcome.contextOps : [];
    for (let round = 1; ; round += 1) {
      let update: ContextCommit | undefined;
      if (ops.length > 0 && context) {
        const current = context;
        let fields: FieldCommit[];
        try {
          fields = planFieldCommits(wf, ops, (field) => ({
            state: current.state[field],
            version: current.versions.get(field) ?? 0,
          }));
        } catch (error) {
          // Deterministic: every worker would fail to apply these operations the same way, so fail the
          // step visibly instead of bouncing the item forever.
          logger.error('context operations could not be applied; failing the step', {
            runId: item.runId,
            itemId: item.itemId,
            error: toErrorInfo(error),
          });
          const failed: StepOutcome = {
            kind: 'failed',
            error: toErrorInfo(error),
            fallback: [],
            durationMs: 0,
          };
          await commitWithRetry(options, step.lease, failed, undefined);
          return { processed: true, error: true };
        }
        update = { fields };
      }
      // A step the worker aborted (shutdown, lost lease, cancel) never continues a strand.
      const request = step.reason === undefined ? strand() : undefined;
      const result = await commitWithRetry(options, step.lease, outcome, update, request);
      if (result.status === 'conflict') {
        // Only reducers need the old value: re-read those of this step, nothing else.
        const reducers = (update?.fields ?? []).filter((f) => f.kind === 'reducer').map((f) => f.field);
        if (!context || round >= CONFLICT_ROUNDS) {
          await backend.queue.release(step.lease);
          return { processed: false, error: false };
        }
        if (!(await rereadFields(backend, wf, item.runId, context, reducers))) {
          return { processed: false, error: false };
        }
        continue;
      }
      if (result.status !== 'committed') {
        logger.debug('step commit changed nothing', {
          itemId: item.itemId,
          runId: item.runId,
          status: result.status,
        });
      }
      // A rejected step's item stays queued (a failed run may be revived): hand it back now rather than
      // leave it invisible until the lease lapses.
      if (result.status === 'rejected') await backend.queue.release(step.lease);
      if (
        result.status === 'committed' &&
        (result.runStatus === 'completed' || result.runStatus === 'failed')
      ) {
        await notifyParent(options, item.runId);
      }
      const next = result.status === 'committed' ? result.next : undefined;
      return { processed: true, error: outcome.kind !== 'advance', ...(next ? { next } : {}) };
    }
  } catch (error) {
    await handleStepError(options, step, error);
    return { processed: false, error: true };
  }
}

/** Commits the timeout (or deadline) of a parked item, or hands it back until it is due. */
async function runParked(
  options: StepRunnerOptions,
  step: InFlightStep,
  wf: AnyWorkflow,
): Promise<StepResult> {
  const now = await backendNow(options.backend);
  const result = parkedOutcome(wf, step.lease, now ? now() : Date.now());
  const item = step.lease.item;
  const childRunId = childOfSignal(item.parked?.name ?? '');
  if (childRunId !== undefined && !('outcome' in result && isDeadline(result.outcome))) {
    // A wait on a child run has no timeout of its own: its timeout is the parent's periodic look at the
    // child, which delivers a result whose delivery was lost (a crash after the child finished), then
    // parks again (consuming that delivery at once when there is one).
    await checkChild(options.backend, item.runId, childRunId, options.logger);
    await parkStep(options.backend, options.logger, wf, step.lease, {
      name: item.parked?.name ?? '',
      timeoutMs: options.childCheckMs,
    });
    return { processed: false, error: false };
  }
  if ('dueInMs' in result) {
    await options.backend.queue.release(step.lease, { delayMs: result.dueInMs });
    return { processed: false, error: false };
  }
  options.logger.warn('a signal wait timed out', {
    runId: step.lease.item.runId,
    itemId: step.lease.item.itemId,
    signal: step.lease.item.parked?.name,
  });
  const committed = await commitWithRetry(options, step.lease, result.outcome, undefined);
  if (committed.status === 'rejected') await options.backend.queue.release(step.lease);
  return { processed: true, error: true };
}

function isDeadline(outcome: StepOutcome): boolean {
  return outcome.kind === 'failed' && outcome.error.code === 'DEADLINE_EXCEEDED';
}

/** After a commit finished a run: a child run hands its result to its parent (see `deliverToParent`). */
async function notifyParent(options: StepRunnerOptions, runId: string): Promise<void> {
  if (!mayBeChildRun(runId)) return;
  try {
    const run = await options.backend.runs.get(runId);
    if (run !== undefined) await deliverToParent(options.backend, run, options.logger);
  } catch (error) {
    // The parent's periodic check delivers it.
    options.logger.warn('could not read a finished run for its parent', { runId, error: toErrorInfo(error) });
  }
}

async function commitWithRetry(
  options: StepRunnerOptions,
  lease: Lease,
  outcome: StepOutcome,
  context: ContextCommit | undefined,
  strand?: StrandRequest,
): Promise<CommitResult> {
  const backoff = new Backoff(50, 1_000);
  for (let attempt = 1; ; attempt += 1) {
    try {
      // A retried commit whose first try was recorded answers `duplicate`: a strand item that first try
      // leased comes back through lease expiry, like any item of a worker that vanished.
      return await options.backend.commit({
        lease,
        outcome,
        ...(context ? { context } : {}),
        at: Date.now(),
        ...(strand ? { strand } : {}),
      });
    } catch (error) {
      // Commits are idempotent, so repeating one after a transient failure is safe.
      if (!isFloxideError(error) || !error.retryable || attempt >= COMMIT_ATTEMPTS) throw error;
      options.logger.warn('commit failed, retrying', {
        itemId: lease.item.itemId,
        error: toErrorInfo(error),
      });
      await sleep(backoff.next());
    }
  }
}

async function handleStepError(
  options: StepRunnerOptions,
  step: InFlightStep,
  error: unknown,
): Promise<void> {
  const { backend, logger } = options;
  const item = step.lease.item;
  const info = toErrorInfo(error);
  try {
    if (isFloxideError(error, 'CORRUPT_RECORD')) {
      logger.error('stored record is corrupt; failing the run', {
        runId: item.runId,
        itemId: item.itemId,
        error: info,
      });
      await backend.failRun(item.runId, info);
      await backend.queue.release(step.lease);
      return;
    }
    // A backend error, or anything unclassified thrown by a backend call: the store may be briefly
    // unavailable, and failing the run for it would lose work that another attempt completes. Hand the
    // item back after a short delay so a hiccup does not turn into a tight lease/fail loop — but only a
    // bounded number of times: an error that repeats on every attempt (a value the store refuses, say)
    // must end visibly, not loop for ever. Each hand-back leaves an error record, which is also the
    // durable count shared by every worker.
    const handBacks = await countHandBacks(options, step, info);
    if (handBacks >= options.maxHandBacks) {
      await failHandedBack(options, step, info, handBacks);
      return;
    }
    logger.error('step could not be completed; releasing its lease', {
      runId: item.runId,
      itemId: item.itemId,
      handBacks,
      maxHandBacks: options.maxHandBacks,
      error: info,
    });
    await backend.queue.release(step.lease, { delayMs: 1_000 });
  } catch (releaseError) {
    // The lease will expire on its own; the item is not lost.
    logger.error('could not release lease', { itemId: item.itemId, error: toErrorInfo(releaseError) });
  }
}

async function reportUnknown(options: StepRunnerOptions, step: InFlightStep): Promise<StepResult> {
  const { backend, logger } = options;
  const item = step.lease.item;
  const error = new UnknownWorkflowError(
    `Worker ${options.workerId} does not know workflow '${item.workflow}' version ${item.version}`,
  );
  try {
    if (!options.reportedUnknown.has(item.itemId)) {
      if (options.reportedUnknown.size > 10_000) options.reportedUnknown.clear();
      options.reportedUnknown.add(item.itemId);
      await backend.errors.record({
        runId: item.runId,
        itemId: item.itemId,
        node: item.node,
        attempt: item.attempt,
        error: toErrorInfo(error),
        at: Date.now(),
      });
    }
    logger.warn('leased an item of an unknown workflow; leaving it for another worker', {
      workflow: item.workflow,
      version: item.version,
      itemId: item.itemId,
    });
    await backend.queue.release(step.lease, { delayMs: options.unknownWorkflowDelayMs });
  } catch (failure) {
    logger.error('could not hand back an item of an unknown workflow', {
      itemId: item.itemId,
      error: toErrorInfo(failure),
    });
  }
  return { processed: false, error: true };
}

/** Marks the error records of hand-backs, so they can be counted (and told apart in `errors`). */
const HAND_BACK = 'handed back';

/**
 * Records this hand-back (an error record on the item: visible in `errors` and the CLI) and returns how
 * many hand-backs of this item attempt there have been, counting the records every worker left, or this
 * worker's own count when the records cannot be read or written (the store being down is the usual reason
 * for a hand-back, and a hiccup must not count against the item).
 */
async function countHandBacks(
  options: StepRunnerOptions,
  step: InFlightStep,
  info: ErrorInfo,
): Promise<number> {
  const item = step.lease.item;
  const key = `${item.itemId}:${item.attempt}`;
  const local = (options.handBacks.get(key) ?? 0) + 1;
  if (options.handBacks.size > 10_000) options.handBacks.clear();
  options.handBacks.set(key, local);
  try {
    await options.backend.errors.record({
      runId: item.runId,
      itemId: item.itemId,
      node: item.node,
      attempt: item.attempt,
      error: { name: info.name, code: info.code, message: `${HAND_BACK}: ${info.message}` },
      at: Date.now(),
    });
    const records = await options.backend.errors.list(item.runId);
    let durable = 0;
    for (const r of records)
      if (r.itemId === item.itemId && r.attempt === item.attempt && r.error.message.startsWith(HAND_BACK))
        durable += 1;
    return Math.max(durable, local);
  } catch {
    return local;
  }
}

/** Fails the step (the run, unless something revives it) once an item was handed back `maxHandBacks` times. */
async function failHandedBack(
  options: StepRunnerOptions,
  step: InFlightStep,
  last: ErrorInfo,
  handBacks: number,
): Promise<void> {
  const { backend, logger } = options;
  const item = step.lease.item;
  const error = new HandBackLimitError(
    `node '${item.node}' (item ${item.itemId}, attempt ${item.attempt}) could not be completed after ` +
      `${handBacks} hand-backs; last error: ${last.message}`,
  );
  const info = toErrorInfo(error);
  logger.error('step handed back too often; failing it', {
    runId: item.runId,
    itemId: item.itemId,
    error: info,
  });
  options.handBacks.delete(`${item.itemId}:${item.attempt}`);
  try {
    await commitWithRetry(
      options,
      step.lease,
      { kind: 'failed', error: info, fallback: [], durationMs: 0 },
      undefined,
    );
  } catch {
    // The commit itself is what keeps failing: fail the run directly, then let the item go.
    await backend.failRun(item.runId, info);
    await backend.queue.release(step.lease);
  }
}
