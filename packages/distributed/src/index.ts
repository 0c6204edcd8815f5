export type { Backend, NewRun, StartRunResult, StepCommit, CommitResult, RunControl } from './contracts/backend.js';
export type { WorkQueue, Lease, LeaseOptions, LeaseState } from './contracts/work-queue.js';
export type { RunInfoStore, RunListQuery, RunPage } from './contracts/run-info-store.js';
export type { MetricsStore } from './contracts/metrics-store.js';
export type { ErrorStore } from './contracts/error-store.js';
export type { LivenessStore } from './contracts/liveness-store.js';
export type { WorkItemStateStore } from './contracts/work-item-state-store.js';
export type { ContextStore, VersionedContext } from './contracts/context-store.js';
export type { EventStore } from './contracts/event-store.js';
export {
  FINISHED_RUN_STATUSES,
  type RunStatus,
  type RunInfo,
  type RunMetrics,
  type NodeTimings,
  type WorkflowErrorRecord,
  type WorkItemStatus,
  type WorkItemState,
  type WorkerHealth,
  type LivenessStatus,
  type RunEvent,
} from './contracts/records.js';
