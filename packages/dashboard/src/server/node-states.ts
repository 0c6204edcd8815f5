import type { WorkItemState, WorkItemStatus } from '@floxide/distributed';

/** The colour class of a graph node: the state of its items, or `idle` when it has none yet. */
export type NodeState = 'idle' | 'pending' | 'running' | 'waiting' | 'completed' | 'retrying' | 'failed';

/** How a node's items add up. */
export interface NodeSummary {
  readonly state: NodeState;
  /** Items of the node by their own state. */
  readonly counts: Readonly<Partial<Record<NodeState, number>>>;
}

const ITEM_STATE: Record<WorkItemStatus, NodeState> = {
  pending: 'pending',
  running: 'running',
  completed: 'completed',
  'waiting-retry': 'retrying',
  failed: 'failed',
  dead: 'failed',
};

// The state a node shows is its items' most urgent one: a failure outranks a retry, a retry work in
// progress, work in progress a step parked on a signal, that work still to do, and all of it a node whose
// items are done.
const URGENCY: readonly NodeState[] = ['failed', 'retrying', 'running', 'waiting', 'pending', 'completed'];

/**
 * Each node's state, from the states of its work items (a node with no item yet is `idle`). An item in
 * `parked` (ids of items parked on a signal, which the item states list as pending) counts as `waiting`.
 */
export function nodeStates(
  items: readonly WorkItemState[],
  parked: ReadonlySet<string> = new Set(),
): Record<string, NodeSummary> {
  const counts = new Map<string, Partial<Record<NodeState, number>>>();
  for (const item of items) {
    const state = parked.has(item.itemId) ? 'waiting' : ITEM_STATE[item.status];
    const c = counts.get(item.node) ?? {};
    c[state] = (c[state] ?? 0) + 1;
    counts.set(item.node, c);
  }
  const result: Record<string, NodeSummary> = {};
  for (const [node, c] of counts) {
    const state = URGENCY.find((s) => (c[s] ?? 0) > 0) ?? 'idle';
    result[node] = { state, counts: c };
  }
  return result;
}
