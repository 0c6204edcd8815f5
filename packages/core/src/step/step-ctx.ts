import type { OpRecorder } from '../context/context-field.js';
import type { Logger } from '../logger/logger.js';
import type { WorkflowCtx } from '../workflow/workflow-ctx.js';
import type { AnyWorkflow } from '../workflow/workflow.js';
import { abortableSleep } from './abort.js';
import type { ChildRuns } from './child-runs.js';
import type { ContextOp } from './step-outcome.js';
import type { WorkItem } from './work-item.js';

const emptyView = Object.freeze({});
const noOps: readonly ContextOp[] = Object.freeze([]);

/**
 * The {@link WorkflowCtx} of one step attempt, also recording the attempt's context operations.
 *
 * @remarks
 * One is created per step, on the engine's hot path, so construction only stores references: the item's
 * fields are read through getters, and the context view, the operation list and the bound `sleep` are
 * created on first use (most nodes touch none of them).
 */
export class StepCtx implements WorkflowCtx<any>, OpRecorder {
  private seq = 0;
  private view: unknown = undefined;
  private recorded: ContextOp[] | undefined = undefined;
  private boundSleep: ((ms: number) => Promise<void>) | undefined = undefined;

  constructor(
    private readonly workflow: AnyWorkflow,
    private readonly item: WorkItem,
    private readonly state: unknown,
    readonly signal: AbortSignal,
    readonly logger: Logger,
    /** Child runs of `subflow` nodes, when the engine runs them as runs of their own (see {@link ChildRuns}). */
    readonly children?: ChildRuns,
  ) {}

  get runId(): string {
    return this.item.runId;
  }

  get itemId(): string {
    return this.item.itemId;
  }

  get attempt(): number {
    return this.item.attempt;
  }

  get node(): string {
    return this.item.node;
  }

  get context(): any {
    return (this.view ??=
      this.workflow.context === undefined ? emptyView : this.workflow.context.view(this.state, this));
  }

  /** The operations recorded so far (context fields push to it). */
  get ops(): ContextOp[] {
    return (this.recorded ??= []);
  }

  /** The recorded operations, without allocating a list when there are none. */
  get recordedOps(): readonly ContextOp[] {
    return this.recorded ?? noOps;
  }

  nextSeq(): number {
    return this.seq++;
  }

  // A getter returning a bound function, so `const { sleep } = ctx` keeps working without a closure per step.
  get sleep(): (ms: number) => Promise<void> {
    return (this.boundSleep ??= (ms: number): Promise<void> => abortableSleep(ms, this.signal));
  }
}

/** The {@link ChildRuns} of a step's context, or `undefined` (local engine, or a context made elsewhere). */
export function childRunsOf(ctx: unknown): ChildRuns | undefined {
  return ctx instanceof StepCtx ? ctx.children : undefined;
}
