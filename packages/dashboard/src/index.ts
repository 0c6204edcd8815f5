export { serveDashboard, DEFAULT_DASHBOARD_PORT } from './server/serve-dashboard.js';
export {
  createDashboardApp,
  type DashboardApp,
  type DashboardAppPlacement,
} from './server/create-dashboard-app.js';
export type {
  DashboardAppOptions,
  ServeDashboardOptions,
  DashboardServer,
} from './server/dashboard-options.js';
export type { ChangeSource, ChangeInterest, DashboardChange } from './server/change-source.js';
export { FeedChangeSource, type FeedChangeSourceOptions } from './server/feed-change-source.js';
export { PollingChangeSource, type PollingChangeSourceOptions } from './server/polling-change-source.js';
export {
  workflowGraph,
  type WorkflowGraph,
  type GraphNode,
  type GraphEdge,
} from './server/workflow-graph.js';
export { nodeStates, type NodeState, type NodeSummary } from './server/node-states.js';
export { stepTimeline, type TimelineStep, type StepResult } from './server/step-timeline.js';
export { queueDepth, type QueueDepth } from './server/queue-depth.js';
export type { RunDetail } from './server/run-detail.js';
export type { ParkedStep } from './server/parked-steps.js';
export { BackendMetrics, MAX_COUNTED_RUNS, type BackendMetricsOptions } from './metrics/backend-metrics.js';
export { WorkerMetrics, type WorkerMetricsOptions } from './metrics/worker-metrics.js';
export { serveMetrics, type ServeMetricsOptions, type MetricsServer } from './metrics/serve-metrics.js';
