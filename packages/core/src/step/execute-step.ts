import { DeadlineExceededError, ThrownValueError, UnknownWorkflowError } from '../errors/errors.js';
import { toErrorInfo } from '../errors/error-info.js';
import { isFloxideError } from '../errors/floxide-error.js';
import { noopLogger, type Logger } from '../logger/logger.js';
import type { AnyNode } from '../node/node.js';
import { parseSchema } from '../schema/schema.js';
import { isTransition } from '../transition/transition.js';
import type { AnyWorkflow } from '../workflow/workflow.js';
import { abortError, neverAborted, raceSignal, stepSignal, type StepSignal } from './abort.js';
import { advance, makeItem } from './advance.js';
import { deriveItemId } from './item-id.js';
import type { ChildRuns } from './child-runs.js';
import { StepCtx } from './step-ctx.js';
import { MAX_ERROR_STACK_CHARS, type ContextOp, type ErrorInfo, type StepOutcome } from './step-outcome.js';
import { toStorable } from './storable-json.js';
import type { WorkItem } from './work-item.js';

/** Options of {@link executeStep}. */
export interface ExecuteStepOptions {
  /** A built workflow. */
  readonly workflow: AnyWorkflow;
  readonly item: WorkItem;
  /** The run's current context state (JSON). */
  readonly context: unknown;
  /** Run cancel / worker shutdown, from the caller. */
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Clock (default `Date.now`). */
  readonly now?: () => number;
  /** Runs `subflow` children as runs of their own (a distributed worker); absent: in-process. */
  readonly children?: ChildRuns;
}

// The original error of each failed or retry outcome made here (an outcome only carries its serialised
// summary). Kept aside rather than wrapping every outcome, so a successful step allocates no wrapper.
const causes = new WeakMap<StepOutcome, unknown>();

/** The error object behind a failed or retry outcome returned by {@link runStep}, if it had one. */
export function causeOf(outcome: StepOutcome): unknown {
  return causes.get(outcome);
}

const noItems: readonly WorkItem[] = Object.freeze([]);
const noTargets: readonly string[] = Object.freeze([]);

/**
 * Runs one work item: validates its input, runs the node under the combined abort signal and turns the
 * result into a {@link StepOutcome}. Never throws for node errors.
 *
 * @remarks
 * The local engine and the distributed worker both call it, so a workflow behaves the same in one
 * process and on a cluster. Successor ids derive from the item id and position, so executing the same
 * item again yields the same ids. Join bookkeeping: see `JoinArrival` and {@link completeJoin}; a branch
 * that holds or dies means its join never fires, and a zero-output `nextAll` from a join source sends
 * nothing, so such runs end with `NO_TERMINAL_OUTPUT` unless another terminal is reached.
 *
 * @example
 * ```ts
 * const item = wf.createStartItem('run-1', 21);
 * const outcome = await executeStep({ workflow: wf, item, context: wf.initialContext() });
 * ```
 */
export async function executeStep(options: ExecuteStepOptions): Promise<StepOutcome> {
  return runStep(options);
}

/**
 * {@link executeStep} for the local engine; {@link causeOf} gives the original error of a failure (the
 * engine reports it as the cause).
 *
 * @remarks
 * Synchronous when the node's `process` returns a plain value (not a thenable): the local engine then
 * advances without a microtask per step. The outcome is the same as awaiting it would give: a synchronous
 * node cannot be interrupted while it runs, so its result stands even past its timeout, and a run deadline
 * that already passed fails the step before the node starts.
 */
export function runStep(options: ExecuteStepOptions): StepOutcome | Promise<StepOutcome> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const { workflow, item } = options;
  const node = workflow.nodes.get(item.node);
  if (node === undefined) {
    const error = new UnknownWorkflowError(
      `workflow '${workflow.name}' v${workflow.version} has no node '${item.node}'`,
    );
    const outcome: StepOutcome = {
      kind: 'failed',
      error: toErrorInfo(error),
      fallback: noItems,
      durationMs: 0,
    };
    causes.set(outcome, error);
    return outcome;
  }
  const caller = options.signal;
  if (caller?.aborted) return fail(workflow, node, item, abortError(caller.reason), now, startedAt);
  if (item.deadlineAt !== undefined && startedAt >= item.deadlineAt) {
    const error = new DeadlineExceededError(`run deadline passed before node '${node.name}' started`);
    return fail(workflow, node, item, error, now, startedAt);
  }
  let input = item.input;
  if (node.input !== undefined) {
    try {
      input = parseSchema(node.input, input, `invalid input for node '${node.name}'`);
    } catch (error) {
      return fail(workflow, node, item, error, now, startedAt);
    }
  }
  // A controller and a timer only when there is a timeout or a deadline: the hot path has neither.
  const combined =
    node.timeoutMs === undefined && item.deadlineAt === undefined
      ? undefined
      : stepSignal({ caller, node: node.name, timeoutMs: node.timeoutMs, deadlineAt: item.deadlineAt, now });
  const signal = combined?.signal ?? caller ?? neverAborted;
  const ctx = new StepCtx(
    workflow,
    item,
    options.context,
    signal,
    options.logger ?? noopLogger,
    options.children,
  );
  let raw: unknown;
  try {
    raw = node.process(input, ctx);
  } catch (error) {
    combined?.dispose();
    return fail(workflow, node, item, signal.aborted ? abortError(signal.reason) : error, now, startedAt);
  }
  if (isThenable(raw)) return settle(workflow, node, item, ctx, raw, combined, now, startedAt);
  combined?.dispose();
  return finish(workflow, node, item, ctx, raw, now, startedAt);
}

/** What `await` would adopt: an object or function with a callable `then`. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    ((typeof value === 'object' && value !== null) || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** The asynchronous tail of {@link runStep}: waits for the node, or for the step signal to fire. */
async function settle(
  workflow: AnyWorkflow,
  node: AnyNode,
  item: WorkItem,
  ctx: StepCtx,
  pending: PromiseLike<unknown>,
  combined: StepSignal | undefined,
  now: () => number,
  startedAt: number,
): Promise<StepOutcome> {
  const signal = ctx.signal;
  let result: unknown;
  try {
    result = await raceSignal(pending instanceof Promise ? pending : Promise.resolve(pending), signal);
  } catch (error) {
    return fail(workflow, node, item, signal.aborted ? abortError(signal.reason) : error, now, startedAt);
  } finally {
    combined?.dispose();
  }
  return finish(workflow, node, item, ctx, result, now, startedAt);
}

// Positional parameters in these helpers, not options objects: they run once per step.
function finish(
  workflow: AnyWorkflow,
  node: AnyNode,
  item: WorkItem,
  ctx: StepCtx,
  result: unknown,
  now: () => number,
  startedAt: number,
): StepOutcome {
  if (isTransition(result) && result.type === 'abort')
    return fail(workflow, node, item, result.error, now, startedAt);
  try {
    const ops = ctx.recordedOps;
    return advance(
      workflow,
      node,
      item,
      result,
      ops.length === 0 ? ops : storableOps(node, ops),
      now() - startedAt,
    );
  } catch (error) {
    return fail(workflow, node, item, error, now, startedAt);
  }
}

/** The context operations with storable values (see `toStorable`); the same list when none changes. */
function storableOps(node: AnyNode, ops: readonly ContextOp[]): readonly ContextOp[] {
  let out: ContextOp[] | undefined;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as ContextOp;
    const value = toStorable(op.value, 'context', op.field, node.name);
    if (value !== op.value && out === undefined) out = ops.slice(0, i);
    if (out !== undefined) out.push(value === op.value ? op : { ...op, value });
  }
  return out ?? ops;
}

function fail(
  workflow: AnyWorkflow,
  node: AnyNode,
  item: WorkItem,
  thrown: unknown,
  now: () => number,
  startedAt: number,
): StepOutcome {
  // Whatever a node throws, the message reads the same in every engine (`node 'x' threw undefined`).
  const error = thrown instanceof Error ? thrown : new ThrownValueError(node.name, thrown);
  const outcome = failure(workflow, node, item, error, now, startedAt);
  causes.set(outcome, error);
  return outcome;
}

function failure(
  workflow: AnyWorkflow,
  node: AnyNode,
  item: WorkItem,
  error: unknown,
  now: () => number,
  startedAt: number,
): StepOutcome {
  const info = withNodeStack(toErrorInfo(error), error);
  const durationMs = now() - startedAt;
  const policy = node.retry;
  // Attempts spent parked on a signal are not the node's: its retry policy counts only its own.
  const attempt = item.attempt - (item.waitAttempts ?? 0);
  if (policy !== undefined && policy.shouldRetry(error, attempt)) {
    const delayMs = policy.delayFor(attempt);
    if (item.deadlineAt === undefined || now() + delayMs < item.deadlineAt) {
      return {
        kind: 'retry',
        error: info,
        delayMs,
        retryItem: { ...item, attempt: item.attempt + 1 },
        durationMs,
      };
    }
  }
  const terminalCode =
    isFloxideError(error) && (error.code === 'CANCELLED' || error.code === 'DEADLINE_EXCEEDED');
  const targets = terminalCode ? noTargets : (workflow.fallbacks.get(node.name) ?? noTargets);
  const fallback = targets.map((target, j) =>
    makeItem(item, deriveItemId(item.itemId, `fallback:${j}`), target, item.input, item.branches),
  );
  return { kind: 'failed', error: info, fallback, durationMs };
}

/**
 * The info with the stack of an `Error` the node itself threw (a user error), cut to
 * {@link MAX_ERROR_STACK_CHARS}; Floxide's own errors (timeouts, validation, cancel) keep none: their
 * stack is the engine's, not the user's code.
 */
function withNodeStack(info: ErrorInfo, error: unknown): ErrorInfo {
  if (!(error instanceof Error) || isFloxideError(error) || typeof error.stack !== 'string') return info;
  return { ...info, stack: error.stack.slice(0, MAX_ERROR_STACK_CHARS) };
}
