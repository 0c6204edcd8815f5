import { randomUUID } from 'node:crypto';
import type { CheckpointWait } from '../checkpoint/checkpoint.js';
import type { ContextDefinition } from '../context/context-definition.js';
import { RunNotFoundError, RunStateError, ValidationError } from '../errors/errors.js';
import { runLocal } from '../engine/local-engine.js';
import type { AnyNode } from '../node/node.js';
import { parseSchema } from '../schema/schema.js';
import { startItemId } from '../step/item-id.js';
import { toStorable } from '../step/storable-json.js';
import type { WorkItem } from '../step/work-item.js';
import type { GraphDefinition } from './validate-graph.js';
import type { JoinDefinition, ResumeOptions, RouteDefinition, RunOptions, Workflow } from './workflow.js';

const emptyState: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** The {@link Workflow} returned by `build()`. */
export class BuiltWorkflow<TInput, TOutput, TContext> implements Workflow<TInput, TOutput, TContext> {
  readonly name: string;
  readonly version: number;
  readonly queue: string;
  readonly maxConcurrency?: number;
  readonly start: string;
  readonly nodes: ReadonlyMap<string, AnyNode>;
  readonly context?: ContextDefinition;
  readonly edges: ReadonlyMap<string, readonly string[]>;
  readonly routes: ReadonlyMap<string, RouteDefinition>;
  readonly fallbacks: ReadonlyMap<string, readonly string[]>;
  readonly joins: ReadonlyMap<string, JoinDefinition>;
  readonly joinSources: ReadonlyMap<string, string>;

  constructor(graph: GraphDefinition) {
    this.name = graph.name;
    this.version = graph.version;
    this.queue = graph.queue;
    if (graph.maxConcurrency !== undefined) this.maxConcurrency = graph.maxConcurrency;
    this.start = graph.start;
    this.nodes = graph.nodes;
    if (graph.context !== undefined) this.context = graph.context;
    this.edges = graph.edges;
    this.routes = graph.routes;
    this.fallbacks = graph.fallbacks;
    this.joins = graph.joins;
    this.joinSources = graph.joinSources;
  }

  isTerminal(node: string): boolean {
    return !this.edges.has(node) && !this.routes.has(node);
  }

  createStartItem(
    runId: string,
    input: unknown,
    options: { readonly deadlineAt?: number; readonly priority?: number } = {},
  ): WorkItem {
    const schema = this.nodes.get(this.start)?.input;
    if (schema !== undefined) {
      parseSchema(schema, input, `invalid input for workflow '${this.name}'`);
    }
    const item: WorkItem = {
      itemId: startItemId(runId),
      runId,
      workflow: this.name,
      version: this.version,
      node: this.start,
      // Stored as JSON by every backend: refused here, before anything is stored, if JSON cannot carry it.
      input: toStorable(input, 'input', undefined, this.name, 'workflow'),
      attempt: 1,
      branches: [],
    };
    const timed = options.deadlineAt === undefined ? item : { ...item, deadlineAt: options.deadlineAt };
    return options.priority === undefined || options.priority === 0
      ? timed
      : { ...timed, priority: options.priority };
  }

  initialContext(initial?: unknown): unknown {
    if (this.context === undefined) {
      if (
        initial !== undefined &&
        (typeof initial !== 'object' || initial === null || Object.keys(initial).length > 0)
      ) {
        throw new ValidationError(
          `workflow '${this.name}' declares no context, but initial context values were given`,
        );
      }
      return emptyState;
    }
    return this.context.initialState(initial);
  }

  async run(input: TInput, options: RunOptions<TContext> = {}): Promise<TOutput> {
    const runId = options.runId ?? randomUUID();
    const deadlineAt = options.deadlineMs === undefined ? undefined : Date.now() + options.deadlineMs;
    // Both validations happen before any node runs or anything is stored.
    const startItem = this.createStartItem(runId, input, deadlineAt === undefined ? {} : { deadlineAt });
    const context = this.initialContext(options.context) as Record<string, unknown>;
    const existing = await options.checkpoint?.load(runId);
    if (existing !== undefined) {
      throw new RunStateError(`run '${runId}' already has a checkpoint; use resume() to continue it`);
    }
    return (await runLocal({
      workflow: this,
      state: {
        runId,
        context: context === emptyState ? {} : context,
        queue: [startItem],
        joins: [],
        waits: [],
        deadlineAt,
        checkpointVersion: 0,
      },
      signal: options.signal,
      logger: options.logger,
      concurrency: options.concurrency,
      checkpoint: options.checkpoint,
    })) as TOutput;
  }

  async resume(runId: string, options: ResumeOptions): Promise<TOutput> {
    const checkpoint = await options.checkpoint.load(runId);
    if (checkpoint === undefined) throw new RunNotFoundError(`no checkpoint for run '${runId}'`);
    if (checkpoint.workflow !== this.name) {
      throw new RunStateError(
        `run '${runId}' belongs to workflow '${checkpoint.workflow}', not '${this.name}'`,
      );
    }
    if (checkpoint.status === 'completed') throw new RunStateError(`run '${runId}' is already completed`);
    const queue = [...checkpoint.queue];
    const waits = [...(checkpoint.waits ?? [])];
    let delivering: CheckpointWait | undefined;
    if (options.deliver !== undefined) {
      const { name, payload } = options.deliver;
      const now = Date.now();
      const index = waits.findIndex(
        (wait) => wait.name === name && (wait.timeoutAt === undefined || wait.timeoutAt > now),
      );
      if (index < 0) throw new RunStateError(`run '${runId}' is not waiting for signal '${name}'`);
      delivering = waits.splice(index, 1)[0] as CheckpointWait;
      const stored = toStorable(payload, 'payload', name, this.name, 'workflow');
      queue.unshift({ ...delivering.item, delivered: { name, payload: stored } });
    }
    return (await runLocal({
      workflow: this,
      state: {
        runId,
        context: checkpoint.context as Record<string, unknown>,
        queue,
        joins: checkpoint.joins,
        waits,
        delivering,
        deadlineAt: checkpoint.deadlineAt,
        checkpointVersion: checkpoint.version,
      },
      signal: options.signal,
      logger: options.logger,
      concurrency: options.concurrency,
      checkpoint: options.checkpoint,
    })) as TOutput;
  }
}
