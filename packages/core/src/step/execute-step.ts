import type { OpRecorder } from '../context/context-field.js';
import { DeadlineExceededError, UnknownWorkflowError, ValidationError } from '../errors/errors.js';
import { toErrorInfo } from '../errors/error-info.js';
import { isFloxideError } from '../errors/floxide-error.js';
import { noopLogger, type Logger } from '../logger/logger.js';
import type { AnyNode } from '../node/node.js';
import { isTransition, type Transition } from '../transition/transition.js';
import type { WorkflowCtx } from '../workflow/workflow-ctx.js';
import type { AnyWorkflow } from '../workflow/workflow.js';
import { abortableSleep, abortError, raceSignal, stepSignal } from './abort.js';
import { deriveItemId, joinItemId } from './item-id.js';
import type { ContextOp, StepOutcome } from './step-outcome.js';
import type { BranchFrame, JoinArrival, WorkItem } from './work-item.js';

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
}

/** An outcome plus the original error object (the outcome only carries its serialised summary). */
export interface StepResult {
  readonly outcome: StepOutcome;
  readonly error?: unknown;
}

const emptyView = Object.freeze({});
const noItems: readonly WorkItem[] = [];
const noArrivals: readonly JoinArrival[] = [];
const noTargets: readonly string[] = [];

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
  return (await runStep(options)).outcome;
}

/** {@link executeStep}, also returning the original error (the local engine reports it as the cause). */
export async function runStep(options: ExecuteStepOptions): Promise<StepResult> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const { workflow, item } = options;
  const node = workflow.nodes.get(item.node);
  if (node === undefined) {
    const error = new UnknownWorkflowError(
      `workflow '${workflow.name}' v${workflow.version} has no node '${item.node}'`,
    );
    return {
      outcome: { kind: 'failed', error: toErrorInfo(error), fallback: noItems, durationMs: 0 },
      error,
    };
  }
  const fail = (error: unknown): StepResult => ({
    outcome: failure(workflow, node, item, error, now, startedAt),
    error,
  });
  if (options.signal?.aborted) return fail(abortError(options.signal.reason));
  if (item.deadlineAt !== undefined && startedAt >= item.deadlineAt) {
    return fail(new DeadlineExceededError(`run deadline passed before node '${node.name}' started`));
  }
  let input = item.input;
  if (node.input !== undefined) {
    const parsed = node.input.safeParse(input);
    if (!parsed.success) {
      return fail(
        new ValidationError(
          `invalid input for node '${node.name}': ${parsed.error.message}`,
          parsed.error.issues,
        ),
      );
    }
    input = parsed.data;
  }
  const { signal, dispose } = stepSignal({
    caller: options.signal,
    node: node.name,
    timeoutMs: node.timeoutMs,
    deadlineAt: item.deadlineAt,
    now,
  });
  const ctx = new StepCtx(workflow, item, options.context, signal, options.logger ?? noopLogger);
  let result: unknown;
  try {
    let raw: unknown = node.process(input, ctx);
    if (
      raw !== null &&
      typeof raw === 'object' &&
      !(raw instanceof Promise) &&
      typeof (raw as PromiseLike<unknown>).then === 'function'
    ) {
      raw = Promise.resolve(raw as PromiseLike<unknown>);
    }
    result = await raceSignal(raw, signal);
  } catch (error) {
    return fail(signal.aborted ? abortError(signal.reason) : error);
  } finally {
    dispose();
  }
  const transition: Transition<unknown> = isTransition(result)
    ? result
    : ({ type: 'next', output: result } as Transition<unknown>);
  if (transition.type === 'abort') return fail(transition.error);
  try {
    return { outcome: advance(workflow, node, item, transition, ctx.ops, now() - startedAt) };
  } catch (error) {
    return fail(error);
  }
}

// A class, not an object literal with a getter: it is created once per step, on the hot path.
class StepCtx implements WorkflowCtx<any>, OpRecorder {
  readonly runId: string;
  readonly itemId: string;
  readonly attempt: number;
  readonly node: string;
  readonly ops: ContextOp[] = [];
  private seq = 0;
  private view: unknown;

  constructor(
    private readonly workflow: AnyWorkflow,
    item: WorkItem,
    private readonly state: unknown,
    readonly signal: AbortSignal,
    readonly logger: Logger,
  ) {
    this.runId = item.runId;
    this.itemId = item.itemId;
    this.attempt = item.attempt;
    this.node = item.node;
  }

  get context(): any {
    return (this.view ??=
      this.workflow.context === undefined ? emptyView : this.workflow.context.view(this.state, this));
  }

  nextSeq(): number {
    return this.seq++;
  }

  // An arrow property so `const { sleep } = ctx` keeps working.
  readonly sleep = (ms: number): Promise<void> => abortableSleep(ms, this.signal);
}

function validateOutputs(node: AnyNode, outputs: readonly unknown[]): readonly unknown[] {
  const schema = node.output;
  if (schema === undefined) return outputs;
  const parsed = new Array<unknown>(outputs.length);
  for (let i = 0; i < outputs.length; i++) {
    const r = schema.safeParse(outputs[i]);
    if (!r.success)
      throw new ValidationError(`invalid output of node '${node.name}': ${r.error.message}`, r.error.issues);
    parsed[i] = r.data;
  }
  return parsed;
}

function makeItem(
  parent: WorkItem,
  itemId: string,
  node: string,
  input: unknown,
  branches: readonly BranchFrame[],
): WorkItem {
  const item: { -readonly [K in keyof WorkItem]: WorkItem[K] } = {
    itemId,
    runId: parent.runId,
    workflow: parent.workflow,
    version: parent.version,
    node,
    input,
    attempt: 1,
    branches,
  };
  if (parent.deadlineAt !== undefined) item.deadlineAt = parent.deadlineAt;
  return item;
}

function advance(
  workflow: AnyWorkflow,
  node: AnyNode,
  item: WorkItem,
  transition: Transition<unknown>,
  contextOps: readonly ContextOp[],
  durationMs: number,
): StepOutcome {
  if (transition.type === 'hold' || transition.type === 'abort') {
    return {
      kind: 'advance',
      transition: 'hold',
      successors: noItems,
      joins: noArrivals,
      contextOps,
      durationMs,
    };
  }
  const outputs = validateOutputs(
    node,
    transition.type === 'next' ? [transition.output] : transition.outputs,
  );
  const successors: WorkItem[] = [];
  const joins: JoinArrival[] = [];
  let output: { readonly value: unknown } | undefined;
  const join = workflow.joinSources.get(node.name);
  const emit = (value: unknown, target: string, position: number, total: number): void => {
    let branches = item.branches;
    if (join !== undefined) {
      const frame: BranchFrame = { fanOutItemId: item.itemId, join, index: position, total };
      branches = branches.concat(frame);
    }
    const innermost = branches[branches.length - 1];
    if (innermost !== undefined && innermost.join === target) {
      const joinItem: { -readonly [K in keyof JoinArrival['joinItem']]: JoinArrival['joinItem'][K] } = {
        itemId: joinItemId(innermost.fanOutItemId, target),
        runId: item.runId,
        workflow: item.workflow,
        version: item.version,
        node: target,
        attempt: 1,
        branches: branches.slice(0, -1),
      };
      if (item.deadlineAt !== undefined) joinItem.deadlineAt = item.deadlineAt;
      joins.push({ joinItem, index: innermost.index, total: innermost.total, value });
    } else {
      successors.push(makeItem(item, deriveItemId(item.itemId, position), target, value, branches));
    }
  };
  const route = workflow.routes.get(node.name);
  if (route === undefined) {
    const targets = workflow.edges.get(node.name) ?? noTargets;
    const n = targets.length;
    if (n === 0) {
      if (outputs.length > 0) output = { value: outputs[0] };
    } else {
      const total = outputs.length * n;
      for (let i = 0; i < outputs.length; i++) {
        for (let j = 0; j < n; j++) emit(outputs[i], targets[j] as string, i * n + j, total);
      }
    }
  } else {
    const armsOf = new Array<readonly string[]>(outputs.length);
    let total = 0;
    for (let i = 0; i < outputs.length; i++) {
      const key = route.discriminant(outputs[i]);
      const arm = route.arms.get(String(key));
      if (arm === undefined) {
        throw new ValidationError(
          `route of node '${node.name}' has no arm for discriminant '${String(key)}'`,
        );
      }
      armsOf[i] = arm;
      total += arm.length;
    }
    let position = 0;
    for (let i = 0; i < outputs.length; i++) {
      const arm = armsOf[i] as readonly string[];
      if (arm.length === 0) {
        output ??= { value: outputs[i] };
        continue;
      }
      for (const target of arm) emit(outputs[i], target, position++, total);
    }
  }
  const base = {
    kind: 'advance',
    transition: transition.type,
    successors,
    joins,
    contextOps,
    durationMs,
  } as const;
  return output === undefined ? base : { ...base, output };
}

function failure(
  workflow: AnyWorkflow,
  node: AnyNode,
  item: WorkItem,
  error: unknown,
  now: () => number,
  startedAt: number,
): StepOutcome {
  const info = toErrorInfo(error);
  const durationMs = now() - startedAt;
  const policy = node.retry;
  if (policy !== undefined && policy.shouldRetry(error, item.attempt)) {
    const delayMs = policy.delayFor(item.attempt);
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
