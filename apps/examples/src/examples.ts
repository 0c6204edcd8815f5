/** One runnable example: its name on the command line, what it shows, and how to load it. */
export interface ExampleEntry {
  readonly name: string;
  readonly description: string;
  /** The Rust example it mirrors. */
  readonly rust: string;
  readonly load: () => Promise<{ main(): Promise<unknown> }>;
}

/** Every example, in the order the README lists them. */
export const EXAMPLES: readonly ExampleEntry[] = [
  {
    name: 'hello',
    rust: 'terminal_node_example.rs',
    description: 'a single terminal node',
    load: () => import('./hello.js'),
  },
  {
    name: 'node-config',
    rust: 'node_macro_example.rs',
    description: 'configured nodes and a context counter',
    load: () => import('./node-config.js'),
  },
  {
    name: 'branching',
    rust: 'branching_example.rs',
    description: 'route on a discriminant to terminal arms',
    load: () => import('./branching.js'),
  },
  {
    name: 'generics',
    rust: 'generics_example.rs',
    description: 'generic node factories',
    load: () => import('./generics.js'),
  },
  {
    name: 'split',
    rust: 'split_example.rs',
    description: 'fan-out with split; first terminal output wins',
    load: () => import('./split.js'),
  },
  {
    name: 'merge',
    rust: 'merge_example.rs',
    description: 'join: outputs of every branch, in order',
    load: () => import('./merge.js'),
  },
  {
    name: 'batch',
    rust: 'batch_example.rs',
    description: 'batch an inner node, then route',
    load: () => import('./batch.js'),
  },
  {
    name: 'retry',
    rust: 'retry_example.rs',
    description: 'withRetry and exponential backoff',
    load: () => import('./retry.js'),
  },
  {
    name: 'retry-definition',
    rust: 'retry_macro_example.rs',
    description: 'a retry policy in the node definition, retryOn',
    load: () => import('./retry-definition.js'),
  },
  {
    name: 'fallback',
    rust: 'error_fallback_macro.rs',
    description: 'onFailure fallback',
    load: () => import('./fallback.js'),
  },
  {
    name: 'order',
    rust: 'order_example.rs',
    description: 'order pipeline with compensations and context',
    load: () => import('./order.js'),
  },
  {
    name: 'checkpoint',
    rust: 'checkpoint_example.rs',
    description: 'checkpoint, crash, resume',
    load: () => import('./checkpoint.js'),
  },
  {
    name: 'cancellation',
    rust: 'cancellation_example.rs',
    description: 'cancel a run with an AbortSignal',
    load: () => import('./cancellation.js'),
  },
  {
    name: 'timeout',
    rust: 'timeout_example.rs',
    description: 'node timeout and run deadline',
    load: () => import('./timeout.js'),
  },
  {
    name: 'nested',
    rust: 'nested_workflow_example.rs',
    description: 'a workflow as a node (subflow)',
    load: () => import('./nested.js'),
  },
  {
    name: 'timer',
    rust: 'timer_example.rs',
    description: 'a timer-driven source of runs',
    load: () => import('./timer.js'),
  },
  {
    name: 'graph',
    rust: 'workflow_dot.rs',
    description: 'Mermaid and DOT export',
    load: () => import('./graph.js'),
  },
  {
    name: 'word-count',
    rust: '(the root README)',
    description: 'split, parallel counting with a context counter, join',
    load: () => import('./word-count.js'),
  },
  {
    name: 'distributed',
    rust: 'distributed_example.rs',
    description: 'workers and an orchestrator on the memory backend',
    load: () => import('./distributed.js'),
  },
  {
    name: 'reminder',
    rust: '(issue 16)',
    description: 'a durable timer: the run sleeps in the backend across a worker restart',
    load: () => import('./reminder.js'),
  },
  {
    name: 'approval',
    rust: '(issue 16)',
    description: 'human in the loop: wait for a signal with a schema and a timeout, resume with it',
    load: () => import('./approval.js'),
  },
  {
    name: 'approval-distributed',
    rust: '(issue 16)',
    description: 'the approval flow on workers: a parked step, orchestrator.signal once by id, a timeout',
    load: () => import('./approval-distributed.js'),
  },
  {
    name: 'child-runs',
    rust: '(issue 16)',
    description: 'a parent with child runs on workers: subflow as a run of its own, cancel cascades',
    load: () => import('./child-runs.js'),
  },
  {
    name: 'scheduled-report',
    rust: '(issue 16)',
    description: 'a cron schedule fired by two schedulers: one run per tick',
    load: () => import('./scheduled-report.js'),
  },
  {
    name: 'distributed-merge',
    rust: 'distributed_orchestrated_merge_example.rs',
    description: 'worker pool, flaky node, durable retries, join',
    load: () => import('./distributed-merge.js'),
  },
];

/** The example called `name`, or `undefined`. */
export function findExample(name: string): ExampleEntry | undefined {
  return EXAMPLES.find((example) => example.name === name);
}
