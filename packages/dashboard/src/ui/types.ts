// The JSON shapes the dashboard's API returns (mirrors of the server's types: the front end is built
// separately and must not pull server code into the bundle).

export type RunStatus = 'queued' | 'running' | 'waiting' | 'paused' | 'completed' | 'failed' | 'cancelled';
export const RUN_STATUSES: readonly RunStatus[] = [
  'queued',
  'running',
  'waiting',
  'paused',
  'completed',
  'failed',
  'cancelled',
];

export interface ErrorInfo {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  /** The stack of an Error a node threw (error records, the run's error, the item's last error). */
  readonly stack?: string;
}

export interface RunInfo {
  readonly runId: string;
  readonly workflow: string;
  readonly version: number;
  readonly status: RunStatus;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: ErrorInfo;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** When the run's durable timer is due (epoch ms). */
  readonly waitingUntil?: number;
  /** The signal names the run's parked steps wait for. */
  readonly waitingFor?: readonly string[];
}

export interface RunPage {
  readonly runs: RunInfo[];
  readonly nextCursor?: string;
}

export type NodeState = 'idle' | 'pending' | 'running' | 'waiting' | 'completed' | 'retrying' | 'failed';

export interface GraphNode {
  readonly name: string;
  readonly layer: number;
  readonly row: number;
  readonly join: boolean;
  readonly terminal: boolean;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly fallback: boolean;
}

export interface WorkflowGraph {
  readonly workflow: string;
  readonly version: number;
  readonly start: string;
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
}

export interface WorkflowSummary {
  readonly name: string;
  readonly version: number;
  readonly graph: WorkflowGraph;
}

export interface TimelineStep {
  readonly itemId: string;
  readonly node: string;
  readonly attempt: number;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly durationMs?: number;
  readonly result: 'running' | 'waiting' | 'waited' | 'committed' | 'retrying' | 'failed';
  readonly error?: ErrorInfo;
}

export interface WorkflowErrorRecord {
  readonly itemId: string;
  readonly node: string;
  readonly attempt: number;
  readonly error: ErrorInfo;
  readonly at: number;
}

export interface RunMetrics {
  readonly totalItems: number;
  readonly completed: number;
  readonly failed: number;
  readonly retries: number;
  readonly running: number;
}

export interface RunDetail {
  readonly run: RunInfo;
  readonly metrics?: RunMetrics;
  readonly context?: unknown;
  readonly contextVersion?: number;
  readonly nodes: Record<
    string,
    { readonly state: NodeState; readonly counts: Partial<Record<NodeState, number>> }
  >;
  readonly timeline: TimelineStep[];
  readonly errors: WorkflowErrorRecord[];
  readonly parked: ParkedStep[];
  readonly graph?: WorkflowGraph;
}

/** A step parked on `Transition.waitFor`. */
export interface ParkedStep {
  readonly itemId: string;
  readonly node: string;
  readonly signal: string;
  readonly timeoutAt?: number;
}

/** What `POST /api/runs/:id/signal` did. */
export interface SignalOutcome {
  readonly status: 'delivered' | 'stored' | 'duplicate';
  readonly itemId?: string;
}

export interface WorkerLiveness {
  readonly worker: {
    readonly workerId: string;
    readonly host: string;
    readonly pid: number;
    readonly startedAt: number;
    readonly lastHeartbeat: number;
    readonly status: 'idle' | 'busy' | 'stopping' | 'stopped';
    readonly currentItems: readonly string[];
    readonly processed: number;
    readonly errors: number;
  };
  readonly status: 'alive' | 'stale' | 'dead';
  readonly ageMs: number;
}

export interface WorkersView {
  readonly workers: WorkerLiveness[];
  readonly queue: {
    readonly outstanding: number;
    readonly waiting: number;
    readonly leased: number;
    readonly runs: number;
    readonly partial: boolean;
  };
}

export type ChangeKind = 'runs' | 'run' | 'workers';
