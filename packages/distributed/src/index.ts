export type {
  Backend,
  NewRun,
  StartRunResult,
  StepCommit,
  StrandRequest,
  ContextCommit,
  CommitResult,
  RunControl,
} from './contracts/backend.js';
export type { BackendClock } from './contracts/backend-clock.js';
export type { ScheduleStore, ScheduleRecord, MissedTickPolicy } from './contracts/schedule-store.js';
export type {
  SignalStore,
  ParkRequest,
  ParkResult,
  SignalDelivery,
  SignalResult,
} from './contracts/signal-store.js';
export type { ScheduleOptions, SchedulerHandle } from './orchestrator/schedules.js';
export type { SignalOptions } from './orchestrator/send-signal.js';
export type { WorkQueue, Lease, LeaseOptions, LeaseState, WorkflowRef } from './contracts/work-queue.js';
export {
  Retention,
  DEFAULT_RETENTION,
  type RetentionPolicy,
  type RetentionTimes,
  type RetentionOption,
  type RetentionRule,
  runNotFoundError,
} from './contracts/retention.js';
export type { RunInfoStore, RunListQuery, RunPage } from './contracts/run-info-store.js';
export {
  compareRunIds,
  decodeRunListCursor,
  encodeRunListCursor,
  normalizeRunListQuery,
  runMatchesFilters,
  type NormalizedRunListQuery,
  type RunListCursor,
} from './contracts/run-list-query.js';
export type { MetricsStore } from './contracts/metrics-store.js';
export type { ErrorStore } from './contracts/error-store.js';
export type { LivenessStore } from './contracts/liveness-store.js';
export type { WorkItemStateStore } from './contracts/work-item-state-store.js';
export type {
  ContextStore,
  VersionedContext,
  ContextReadRequest,
  ContextRead,
  ContextFieldRead,
} from './contracts/context-store.js';
export type { EventStore } from './contracts/event-store.js';
export type { ChangeFeed, FeedEvent, FeedPage, FeedReadOptions } from './contracts/change-feed.js';
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
export { MemoryBackend, type MemoryBackendOptions } from './memory/memory-backend.js';
export { MemoryWorkQueue } from './memory/memory-work-queue.js';
export { MemoryRunInfoStore } from './memory/memory-run-info-store.js';
export { MemoryMetricsStore } from './memory/memory-metrics-store.js';
export { MemoryErrorStore } from './memory/memory-error-store.js';
export { MemoryLivenessStore } from './memory/memory-liveness-store.js';
export { MemoryWorkItemStateStore } from './memory/memory-work-item-state-store.js';
export { MemoryContextStore } from './memory/memory-context-store.js';
export { MemoryEventStore } from './memory/memory-event-store.js';
export { MemoryChangeFeed } from './memory/memory-change-feed.js';
export { MemorySignalStore } from './memory/memory-signal-store.js';
export { DistributedWorker } from './worker/distributed-worker.js';
export type {
  DistributedWorkerOptions,
  CloseOptions,
  WorkerStats,
} from './worker/distributed-worker-options.js';
export { WorkerPool, type WorkerPoolOptions } from './worker/worker-pool.js';
export { defaultWorkerId } from './worker/default-worker-id.js';
export { WorkflowRegistry } from './registry/workflow-registry.js';
export { DistributedOrchestrator } from './orchestrator/distributed-orchestrator.js';
export { START_MANY_CHUNK, type StartManyEntry } from './orchestrator/start-many.js';
export { RunHandle, type RunHandleOrchestrator, type TypedRunInfo } from './orchestrator/run-handle.js';
export type {
  DistributedOrchestratorOptions,
  StartRunOptions,
  WaitOptions,
  WatchOptions,
  LivenessOptions,
  WorkerLiveness,
} from './orchestrator/orchestrator-options.js';
export {
  FeedSubscription,
  type FeedListener,
  type FeedRegistration,
  type FeedSubscriptionOptions,
} from './orchestrator/feed-subscription.js';
export type { RunsFilter } from './orchestrator/watch-runs.js';
export { classifyLiveness } from './orchestrator/classify-liveness.js';
