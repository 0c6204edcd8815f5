import type {
  Backend,
  RunEvent,
  RunInfo,
  RunMetrics,
  WorkflowErrorRecord,
  WorkItemState,
  WorkflowRegistry,
} from '@floxide/distributed';
import { nodeStates, type NodeSummary } from './node-states.js';
import { parkedSteps, type ParkedStep } from './parked-steps.js';
import { stepTimeline, type TimelineStep } from './step-timeline.js';
import { workflowGraph, type WorkflowGraph } from './workflow-graph.js';

/** Events read per call, and the most a run page shows. */
const EVENT_PAGE = 1_000;
const MAX_EVENTS = 20_000;

/** Everything the run page shows, read in one request. */
export interface RunDetail {
  readonly run: RunInfo;
  readonly metrics?: RunMetrics;
  readonly context?: unknown;
  readonly contextVersion?: number;
  readonly items: WorkItemState[];
  /** The state of each node, from its items (nodes without items are absent). */
  readonly nodes: Record<string, NodeSummary>;
  readonly timeline: TimelineStep[];
  readonly errors: WorkflowErrorRecord[];
  /** The run's steps parked on a signal (what the signal form offers to send), oldest first. */
  readonly parked: ParkedStep[];
  /** The workflow's graph; absent when this dashboard was not given that workflow and version. */
  readonly graph?: WorkflowGraph;
}

/** A run's events from the first, up to {@link MAX_EVENTS}. */
export async function readAllEvents(backend: Backend, runId: string): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  for (;;) {
    const page = await backend.events.read(runId, events.at(-1)?.seq ?? 0, EVENT_PAGE);
    events.push(...page);
    if (page.length < EVENT_PAGE || events.length >= MAX_EVENTS) return events;
  }
}

/** Reads a run's page; `undefined` when the run does not exist. */
export async function runDetail(
  backend: Backend,
  registry: WorkflowRegistry,
  runId: string,
): Promise<RunDetail | undefined> {
  const run = await backend.runs.get(runId);
  if (run === undefined) return undefined;
  const [metrics, context, items, events, errors, parked] = await Promise.all([
    backend.metrics.get(runId),
    backend.context.get(runId),
    backend.items.list(runId),
    readAllEvents(backend, runId),
    backend.errors.list(runId),
    parkedSteps(backend, run),
  ]);
  const workflow = registry.get(run.workflow, run.version);
  const parkedIds = new Set(parked.map((p) => p.itemId));
  return {
    run,
    ...(metrics === undefined ? {} : { metrics }),
    ...(context === undefined ? {} : { context: context.state, contextVersion: context.version }),
    items,
    nodes: nodeStates(items, parkedIds),
    timeline: stepTimeline(events, parkedIds),
    errors,
    parked,
    ...(workflow === undefined ? {} : { graph: workflowGraph(workflow) }),
  };
}
