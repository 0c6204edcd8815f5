import { JoinBranchError, ValidationError } from '../errors/errors.js';
import type { AnyNode } from '../node/node.js';
import { parseSchema } from '../schema/schema.js';
import { toErrorInfo } from '../errors/error-info.js';
import { isTransition, type TimerOptions, type WaitForTransition } from '../transition/transition.js';
import type { AnyWorkflow } from '../workflow/workflow.js';
import { deriveItemId, joinItemId } from './item-id.js';
import { joinReachers } from './join-reach.js';
import { toStorable } from './storable-json.js';
import type { AdvanceOutcome, ContextOp, StepWait } from './step-outcome.js';
import type { BranchFrame, JoinArrival, WorkItem } from './work-item.js';

const noItems: readonly WorkItem[] = Object.freeze([]);
const noArrivals: readonly JoinArrival[] = Object.freeze([]);
const noTargets: readonly string[] = Object.freeze([]);

/** A successor of `parent`: same run, workflow, version, deadline and priority; first attempt. */
export function makeItem(
  parent: WorkItem,
  itemId: string,
  node: string,
  input: unknown,
  branches: readonly BranchFrame[],
): WorkItem {
  const item = makePlainItem(parent, itemId, node, input, branches);
  // Runs without a priority (the usual case) keep the two item shapes below.
  return parent.priority === undefined ? item : { ...item, priority: parent.priority };
}

function makePlainItem(
  parent: WorkItem,
  itemId: string,
  node: string,
  input: unknown,
  branches: readonly BranchFrame[],
): WorkItem {
  // Both shapes are written out (not a conditional property) so that items keep one of two hidden classes.
  return parent.deadlineAt === undefined
    ? {
        itemId,
        runId: parent.runId,
        workflow: parent.workflow,
        version: parent.version,
        node,
        input,
        attempt: 1,
        branches,
      }
    : {
        itemId,
        runId: parent.runId,
        workflow: parent.workflow,
        version: parent.version,
        node,
        input,
        attempt: 1,
        branches,
        deadlineAt: parent.deadlineAt,
      };
}

type JoinItem = JoinArrival['joinItem'];

// The join item of the last arrival, with the fan-out it closes (see `joinItemOf`).
let lastJoinItem: JoinItem | undefined;
let lastFanOut = '';

function sameOuterFrames(outer: readonly BranchFrame[], branches: readonly BranchFrame[]): boolean {
  if (outer.length !== branches.length - 1) return false;
  for (let i = 0; i < outer.length; i++) if (outer[i] !== branches[i]) return false;
  return true;
}

/**
 * The item the join of `frame` (the innermost of `branches`) enqueues, reached from `item`. Every branch of
 * a fan-out arrives with an equal one, each in its own step: the last one made is reused when it is equal
 * (same fan-out, join, run, deadline and outer frames), which saves hashing its id and two allocations per
 * branch. Sharing is safe because work items are immutable data.
 */
function joinItemOf(item: WorkItem, branches: readonly BranchFrame[], frame: BranchFrame): JoinItem {
  const last = lastJoinItem;
  if (
    last !== undefined &&
    lastFanOut === frame.fanOutItemId &&
    last.node === frame.join &&
    last.runId === item.runId &&
    last.workflow === item.workflow &&
    last.version === item.version &&
    last.deadlineAt === item.deadlineAt &&
    last.priority === item.priority &&
    sameOuterFrames(last.branches, branches)
  )
    return last;
  const joinItem: { -readonly [K in keyof JoinItem]: JoinItem[K] } = {
    itemId: joinItemId(frame.fanOutItemId, frame.join),
    runId: item.runId,
    workflow: item.workflow,
    version: item.version,
    node: frame.join,
    attempt: 1,
    branches: branches.slice(0, -1),
  };
  if (item.deadlineAt !== undefined) joinItem.deadlineAt = item.deadlineAt;
  if (item.priority !== undefined) joinItem.priority = item.priority;
  lastJoinItem = joinItem;
  lastFanOut = frame.fanOutItemId;
  return joinItem;
}

/**
 * Collects the successors and join arrivals of one step. A class instead of a closure over locals: one
 * allocation, and the lists are only allocated when something is emitted.
 */
class Emitter {
  successors: WorkItem[] | undefined = undefined;
  joins: JoinArrival[] | undefined = undefined;
  /** The target already sent toward the innermost join, when this node is inside a branch. */
  private towardJoin: string | undefined = undefined;
  constructor(
    private readonly workflow: AnyWorkflow,
    private readonly node: string,
    private readonly item: WorkItem,
    /** The join this node is the `from` of, if any: its outputs then open a branch frame. */
    private readonly join: string | undefined,
  ) {}

  emit(value: unknown, target: string, position: number, total: number): void {
    const item = this.item;
    let branches = item.branches;
    if (this.join !== undefined) {
      const frame: BranchFrame = { fanOutItemId: item.itemId, join: this.join, index: position, total };
      branches = branches.concat(frame);
    } else if (branches.length > 0)
      this.checkOneArrival(branches[branches.length - 1] as BranchFrame, target);
    const innermost = branches[branches.length - 1];
    if (innermost !== undefined && innermost.join === target) {
      const joinItem = joinItemOf(item, branches, innermost);
      (this.joins ??= []).push({ joinItem, index: innermost.index, total: innermost.total, value });
    } else {
      (this.successors ??= []).push(
        makeItem(item, deriveItemId(item.itemId, position), target, value, branches),
      );
    }
  }

  /**
   * A branch arrives at its join once. A node inside the branch (not the source of an inner join) that
   * sends a second piece of work toward the join — `nextAll`, or one output along two edges — would make
   * one of the arrivals vanish, so the step fails instead, naming the join, the node and the branch.
   */
  private checkOneArrival(frame: BranchFrame, target: string): void {
    if (!joinReachers(this.workflow, frame.join).has(target)) return;
    if (this.towardJoin === undefined) {
      this.towardJoin = target;
      return;
    }
    throw new JoinBranchError(
      `join '${frame.join}' would receive more than one value from branch ${frame.index} of its fan-out: ` +
        `node '${this.node}' sent work to '${this.towardJoin}' and '${target}', which both lead to the join ` +
        `(a node inside a branch that fans out again needs a join of its own)`,
    );
  }
}

/**
 * The output checked against the node's `output` schema (when it declares one) and then made storable
 * (see `toStorable`): what every engine passes on is what JSON keeps.
 */
function validated(node: AnyNode, output: unknown, index: number | undefined): unknown {
  const schema = node.output;
  const root = index === undefined ? 'output' : 'outputs';
  if (schema === undefined) return toStorable(output, root, index, node.name);
  const parsed = parseSchema(schema, output, `invalid output of node '${node.name}'`);
  return toStorable(parsed, root, index, node.name);
}

function validateAll(node: AnyNode, outputs: readonly unknown[]): readonly unknown[] {
  const parsed = new Array<unknown>(outputs.length);
  for (let i = 0; i < outputs.length; i++) parsed[i] = validated(node, outputs[i], i);
  return parsed;
}

/**
 * The {@link AdvanceOutcome} of a successful attempt: validates the outputs, routes them along the node's
 * edges or route, and builds successor items and join arrivals with deterministic ids. `result` is what
 * `process` returned: a plain value (one output) or a `next`, `nextAll` or `hold` transition. Throws a
 * ValidationError for an invalid output or a route without an arm for the discriminant.
 */
// Positional parameters, not an options object: it runs once per step and the object would be garbage.
export function advance(
  workflow: AnyWorkflow,
  node: AnyNode,
  item: WorkItem,
  result: unknown,
  contextOps: readonly ContextOp[],
  durationMs: number,
): AdvanceOutcome {
  // A plain value is `next(value)`; it is not wrapped in a transition object.
  const transition = isTransition(result) ? result : undefined;
  const type = transition === undefined ? 'next' : transition.type;
  if (type === 'hold' || type === 'abort') {
    return {
      kind: 'advance',
      transition: 'hold',
      successors: noItems,
      joins: noArrivals,
      contextOps,
      durationMs,
    };
  }
  let single: unknown;
  if (transition === undefined) single = result;
  else if (transition.type === 'next') single = transition.output;
  else if (transition.type === 'waitFor') {
    const payload = signalPayload(node, item, transition);
    if (payload.wait !== undefined)
      return {
        kind: 'advance',
        transition: 'waitFor',
        successors: noItems,
        joins: noArrivals,
        contextOps,
        durationMs,
        wait: payload.wait,
      };
    // The payload is what the successors receive: the node's output schema does not apply to it.
    node = withoutOutputSchema(node);
    single = payload.value;
  }
  const many = transition?.type === 'nextAll' ? transition.outputs : undefined;
  const join = workflow.joinSources.get(node.name);
  let emitter: Emitter | undefined;
  let output: { readonly value: unknown } | undefined;
  let successors: WorkItem[] | undefined;
  const route = workflow.routes.get(node.name);
  if (route === undefined) {
    const targets = workflow.edges.get(node.name) ?? noTargets;
    const n = targets.length;
    if (many === undefined) {
      // The common case, without wrapping the output in a one-element list.
      const value = validated(node, single, undefined);
      if (n === 0) output = { value };
      else if (join === undefined && item.branches.length === 0) {
        // No branch frame to open or close: every target gets a plain successor (chains, most steps).
        successors = new Array<WorkItem>(n);
        for (let j = 0; j < n; j++) {
          const target = targets[j] as string;
          successors[j] = makeItem(item, deriveItemId(item.itemId, j), target, value, item.branches);
        }
      } else
        for (let j = 0; j < n; j++)
          (emitter ??= new Emitter(workflow, node.name, item, join)).emit(value, targets[j] as string, j, n);
    } else {
      const outputs = validateAll(node, many);
      if (n === 0) {
        if (outputs.length > 0) output = { value: outputs[0] };
      } else {
        const total = outputs.length * n;
        for (let i = 0; i < outputs.length; i++) {
          for (let j = 0; j < n; j++)
            (emitter ??= new Emitter(workflow, node.name, item, join)).emit(
              outputs[i],
              targets[j] as string,
              i * n + j,
              total,
            );
        }
      }
    }
  } else {
    const outputs = many === undefined ? [validated(node, single, undefined)] : validateAll(node, many);
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
      for (const target of arm)
        (emitter ??= new Emitter(workflow, node.name, item, join)).emit(
          outputs[i],
          target,
          position++,
          total,
        );
    }
  }
  // A delivered `waitFor` sends its payload on like `next`.
  const kind = type === 'waitFor' ? 'next' : type;
  const made = successors ?? emitter?.successors ?? noItems;
  const joins = emitter?.joins ?? noArrivals;
  const outcome: AdvanceOutcome =
    output === undefined
      ? { kind: 'advance', transition: kind, successors: made, joins, contextOps, durationMs }
      : { kind: 'advance', transition: kind, successors: made, joins, output, contextOps, durationMs };
  const timer = transition?.type === 'next' || transition?.type === 'nextAll' ? transition.timer : undefined;
  return timer === undefined ? outcome : withTimer(outcome, node, timer);
}

/**
 * The outcome with its durable timer (`delayMs` or `dueAt`), checked: a delay must be a finite number of
 * milliseconds ≥ 0 and a due time a valid date (a ValidationError otherwise, which fails the step). A step
 * that completes the run or enqueues nothing keeps no timer.
 */
function withTimer(outcome: AdvanceOutcome, node: AnyNode, timer: TimerOptions): AdvanceOutcome {
  if ('at' in timer) {
    const dueAt = timer.at instanceof Date ? timer.at.getTime() : Number.NaN;
    if (!Number.isFinite(dueAt))
      throw new ValidationError(`node '${node.name}' returned a timer whose 'at' is not a valid Date`);
    if (outcome.output !== undefined || (outcome.successors.length === 0 && outcome.joins.length === 0))
      return outcome;
    return { ...outcome, dueAt: Math.round(dueAt) };
  }
  const delayMs = timer.delayMs;
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)
    throw new ValidationError(
      `node '${node.name}' returned a timer whose 'delayMs' is not a finite number of milliseconds >= 0`,
    );
  if (outcome.output !== undefined || (outcome.successors.length === 0 && outcome.joins.length === 0))
    return outcome;
  return delayMs === 0 ? outcome : { ...outcome, delayMs: Math.ceil(delayMs) };
}

/**
 * What a `waitFor` transition means for `item`: the payload of the signal delivered to it (checked by the
 * transition's schema), or the wait to park on (no signal of that name delivered yet, or a payload the schema
 * refused). A timeout that is not a finite number of milliseconds >= 0 is a ValidationError.
 */
function signalPayload(
  node: AnyNode,
  item: WorkItem,
  transition: WaitForTransition<unknown>,
): { readonly value: unknown; readonly wait?: undefined } | { readonly wait: StepWait } {
  const { name, timeoutMs, schema } = transition;
  if (typeof name !== 'string' || name.length === 0)
    throw new ValidationError(`node '${node.name}' waits for a signal without a name`);
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0)
  )
    throw new ValidationError(
      `node '${node.name}' waits for signal '${name}' with a 'timeoutMs' that is not a finite number of milliseconds >= 0`,
    );
  const wait: StepWait = timeoutMs === undefined ? { name } : { name, timeoutMs: Math.ceil(timeoutMs) };
  const delivered = item.delivered;
  if (delivered === undefined || delivered.name !== name) return { wait };
  if (schema === undefined) return { value: delivered.payload };
  try {
    return {
      value: parseSchema(
        schema,
        delivered.payload,
        `invalid payload of signal '${name}' for node '${node.name}'`,
      ),
    };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { wait: { ...wait, refused: toErrorInfo(error) } };
  }
}

/** `node` without its output schema (a signal's payload is checked by the `waitFor` schema instead). */
function withoutOutputSchema(node: AnyNode): AnyNode {
  if (node.output === undefined) return node;
  const { output: _output, ...rest } = node;
  return rest as AnyNode;
}
