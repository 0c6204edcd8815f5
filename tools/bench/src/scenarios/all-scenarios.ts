import { p1LocalChain } from './p1-local-chain.js';
import { p2LocalFanOut } from './p2-local-fan-out.js';
import { p3RedisChain } from './p3-redis-chain.js';
import { p4PostgresChain } from './p4-postgres-chain.js';
import { p5CostPerStep } from './p5-cost-per-step.js';
import { p6Backlog } from './p6-backlog.js';
import { p7WorkerMemory } from './p7-worker-memory.js';
import { p8FanJoin } from './p8-fan-join.js';
import { p9StepLatency } from './p9-step-latency.js';
import { p10WideFanOut } from './p10-wide-fan-out.js';
import { p11ContextFanOut } from './p11-context-fan-out.js';
import { p12WaitCost } from './p12-wait-cost.js';
import { p13RunLists } from './p13-run-lists.js';
import { p14MixedFleet } from './p14-mixed-fleet.js';
import { p15Retention } from './p15-retention.js';
import { p16ClusterChain } from './p16-cluster-chain.js';
import { p17FairShare } from './p17-fair-share.js';
import type { Scenario } from './scenario.js';

/** Every scenario, in the order `pnpm bench` runs them. */
export const ALL_SCENARIOS: readonly Scenario[] = [
  p1LocalChain,
  p2LocalFanOut,
  p3RedisChain,
  p4PostgresChain,
  p5CostPerStep,
  p6Backlog,
  p7WorkerMemory,
  p8FanJoin,
  p9StepLatency,
  p10WideFanOut,
  p11ContextFanOut,
  p12WaitCost,
  p13RunLists,
  p14MixedFleet,
  p15Retention,
  p16ClusterChain,
  p17FairShare,
];
