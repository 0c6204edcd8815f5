import {
  ChildRunFailedError,
  isFloxideError,
  RunStateError,
  Transition,
  type AnyWorkflow,
  type ErrorInfo,
  type Logger,
  type NodeResult,
} from '@floxide/core';
import { toErrorInfo, type ChildRuns, type WorkItem } from '@floxide/core/engine';
import type { Backend } from '../contracts/backend.js';
import type { RunInfo } from '../contracts/records.js';

/** Signal names a parent's item parks on while its child run works: this prefix and the child's run id. */
export const CHILD_SIGNAL_PREFIX = 'floxide.child:';

/** The signal a parent waits on for the child run `childRunId` (also the delivery's `signalId`). */
export function childSignal(childRunId: string): string {
  return `${CHILD_SIGNAL_PREFIX}${childRunId}`;
}

/** The child run id a parked signal name waits for, or `undefined` for an ordinary signal. */
export function childOfSignal(name: string): string | undefined {
  return name.startsWith(CHILD_SIGNAL_PREFIX) ? name.slice(CHILD_SIGNAL_PREFIX.length) : undefined;
}

/**
 * The run id of the child that the item's current attempt starts: deterministic from the parent run, the
 * item and the node's own attempt (parks and deliveries do not count), so a step executed again starts no
 * second child, and a retry starts a new one.
 */
export function childRunIdFor(item: WorkItem): string {
  const attempt = item.attempt - (item.waitAttempts ?? 0);
  return `${item.runId}/${item.itemId}/${attempt}`;
}

// `<parent run id>/<item id: 32 hex digits>/<attempt>`: see childRunIdFor.
const CHILD_RUN_ID = /\/[0-9a-f]{32}\/[1-9][0-9]*$/;

/**
 * Whether `runId` has the shape of a child run's id (see {@link childRunIdFor}): only such runs are read
 * after their final commit, so a run that is no child costs no extra read.
 */
export function mayBeChildRun(runId: string): boolean {
  return CHILD_RUN_ID.test(runId);
}

/** What a finished child delivers to its parent: its output, or its error. */
type ChildResult = { readonly output: unknown } | { readonly error: ErrorInfo };

/**
 * {@link ChildRuns} of one leased step on a distributed worker: starts the child as a run of its own and
 * parks the parent's item on the child's signal; once delivered, the child's output is the node's output,
 * its error the node's failure.
 */
export class WorkerChildRuns implements ChildRuns {
  constructor(
    private readonly backend: Backend,
    private readonly item: WorkItem,
    /** Park timeout of the wait: when it fires the worker looks at the child itself (see `checkChild`). */
    private readonly checkMs: number,
  ) {}

  async run(name: string, child: AnyWorkflow, input: unknown): Promise<NodeResult<unknown>> {
    const item = this.item;
    const childRunId = childRunIdFor(item);
    const signal = childSignal(childRunId);
    if (item.delivered?.name === signal) return resultOf(childRunId, item.delivered.payload as ChildResult);
    const startItem = child.createStartItem(childRunId, input, {
      // The child lives within the parent's deadline and at its priority.
      ...(item.deadlineAt === undefined ? {} : { deadlineAt: item.deadlineAt }),
      ...(item.priority === undefined ? {} : { priority: item.priority }),
    });
    const { created, run } = await this.backend.startRun({
      runId: childRunId,
      workflow: child.name,
      version: child.version,
      input: startItem.input,
      context: child.initialContext(),
      startItem,
      createdAt: Date.now(),
      parentRunId: item.runId,
      ...(item.deadlineAt === undefined ? {} : { deadlineAt: item.deadlineAt }),
    });
    if (!created && (run.parentRunId !== item.runId || run.workflow !== child.name)) {
      throw new RunStateError(
        `subflow '${name}': run id ${childRunId} already belongs to another run than this node's child`,
      );
    }
    return Transition.waitFor(signal, { timeoutMs: this.checkMs });
  }
}

function resultOf(childRunId: string, payload: ChildResult): unknown {
  if ('error' in payload) {
    throw new ChildRunFailedError(
      childRunId,
      { code: payload.error.code, message: payload.error.message },
      `child run ${childRunId} failed: ${payload.error.code}: ${payload.error.message}`,
    );
  }
  return payload.output;
}

/** What a finished run delivers to its parent, or `undefined` while it has not finished. */
function childResult(run: RunInfo): ChildResult | undefined {
  if (run.status === 'completed') return { output: run.output ?? null };
  if (run.status === 'failed' || run.status === 'cancelled') {
    return {
      error: run.error ?? { name: 'FloxideError', code: 'CANCELLED', message: `run ${run.status}` },
    };
  }
  return undefined;
}

/**
 * Delivers a finished child run's result to its parent (idempotent: the signal id is the child's run id).
 * Called by whoever finished the child (a worker's commit, a cancel) and by the parent's periodic check,
 * so a delivery lost to a crash is made again. A parent that is gone or finished takes nothing: ignored.
 */
export async function deliverToParent(backend: Backend, run: RunInfo, logger: Logger): Promise<void> {
  if (run.parentRunId === undefined || backend.signals === undefined) return;
  const result = childResult(run);
  if (result === undefined) return;
  try {
    await backend.signals.deliver({
      runId: run.parentRunId,
      name: childSignal(run.runId),
      payload: result,
      signalId: run.runId,
      at: Date.now(),
    });
  } catch (error) {
    if (isFloxideError(error, 'RUN_STATE') || isFloxideError(error, 'RUN_NOT_FOUND')) return;
    logger.warn('could not deliver a child run result to its parent (its check will)', {
      runId: run.runId,
      parentRunId: run.parentRunId,
      error: toErrorInfo(error),
    });
  }
}

/**
 * A parent's periodic look at its child (the parked wait's timeout fired): delivers the child's result when
 * it has finished, or a failure when the child run is gone (deleted by retention); a child still working
 * gets nothing, and the caller parks the parent again.
 */
export async function checkChild(
  backend: Backend,
  parentRunId: string,
  childRunId: string,
  logger: Logger,
): Promise<void> {
  const run = await backend.runs.get(childRunId);
  if (run !== undefined) {
    await deliverToParent(backend, run, logger);
    return;
  }
  await deliverToParent(
    backend,
    {
      runId: childRunId,
      parentRunId,
      workflow: '',
      version: 0,
      status: 'failed',
      input: null,
      createdAt: 0,
      error: { name: 'RunNotFoundError', code: 'RUN_NOT_FOUND', message: `child run ${childRunId} is gone` },
    },
    logger,
  );
}
