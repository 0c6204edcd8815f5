/** Names of the per-run keys, in the order every per-run Lua script receives them as `KEYS[1..n]`. */
export const RUN_KEY_NAMES = [
  'run',
  'ctx',
  'items',
  'order',
  'live',
  'outbox',
  'parked',
  'leased',
  'done',
  'events',
  'errors',
  'metrics',
  'payloads',
] as const;

/** One per-run key name. */
export type RunKeyName = (typeof RUN_KEY_NAMES)[number];

/**
 * The Redis key layout of one backend prefix.
 *
 * @remarks
 * Every key of a run embeds the hash tag `{<runId>}`, so a run's keys share one hash slot and the per-run
 * Lua scripts are valid on Redis Cluster. Keys are namespaced by `prefix`, so two prefixes on one server
 * never see each other's data. BullMQ's own keys live under `<prefix>:<lane>:*`, one BullMQ queue (lane) per
 * workflow version, named `<queueName>.<version>.<encoded workflow name>`.
 *
 * | key | type | holds |
 * |---|---|---|
 * | `<p>:{<run>}:run` | hash | run info fields, `seq` (event counter), `gen` (re-add counter) |
 * | `<p>:{<run>}:ctx` | hash | `version`; per field `f:<field>` (JSON), `r:<field>` (reducer version), `split`, `logs`; or `state` (JSON, one document) until a worker's first read splits it |
 * | `<p>:{<run>}:ctxlog:<field>` | list | an event-log field's entries `{"id","event"}` in log order |
 * | `<p>:{<run>}:ctxids:<field>` | set | the event ids of that log (appends are idempotent by id) |
 * | `<p>:{<run>}:items` | hash | itemId → WorkItemState JSON |
 * | `<p>:{<run>}:order` | list | item ids in creation order |
 * | `<p>:{<run>}:live` | hash | itemId → `jobId\nattempt\nreadyAt\nitemJson` for items not yet consumed |
 * | `<p>:{<run>}:outbox` | hash | jobId → `readyAt\nitemJson`, jobs committed but not yet handed to BullMQ |
 * | `<p>:{<run>}:parked` | set | item ids set aside while the run is paused or failed |
 * | `<p>:{<run>}:leased` | hash | itemId → BullMQ lock token of its current lease (its owner) |
 * | `<p>:{<run>}:done` | set | `itemId#attempt` of every committed step (idempotency) |
 * | `<p>:{<run>}:events` | list | RunEvent JSON, `seq` n at index n-1 |
 * | `<p>:{<run>}:errors` | list | WorkflowErrorRecord JSON |
 * | `<p>:{<run>}:metrics` | hash | counters and per-node timings |
 * | `<p>:{<run>}:payloads` | hash | itemId → `jobBase\nitemJson` of the item's latest attempt |
 * | `<p>:{<run>}:joins:<joinItemId>` | hash | branch index → value JSON, `total` |
 * | `<p>:{<run>}:fanouts` | hash | stage token → `owner\tleaseUntil` of each wide fan-out still being materialised |
 * | `<p>:{<run>}:stage:<token>` | list | successors of a wide fan-out not yet materialised (see fanout-drain.ts) |
 * | `<p>:runs` | sorted set | `<createdAt padded>:<runId>` (score 0), for listing newest first |
 * | `<p>:runs:status:<status>` | sorted set | the same members, for the runs that have this status |
 * | `<p>:runs:workflow:<workflow>` | sorted set | the same members, for the runs of this workflow |
 * | `<p>:runs:wfstatus:<status>:<workflow>` | sorted set | the same members, for both at once |
 * | `<p>:runs:ids` | sorted set | run ids (score 0), for run id prefix search |
 * | `<p>:active` | set | run ids that may have work left (outbox sweeper) |
 * | `<p>:deadlines` | sorted set | runId scored by its `deadlineAt` (runs the sweeper fails once due) |
 * | `<p>:runs:finished:<status>:<workflow>` | sorted set | finished run ids scored by the server time they finished (retention) |
 * | `<p>:runs:finishedwf` | set | workflows with finished runs (retention walks their sets) |
 * | `<p>:lanes` | set | BullMQ queue names of the workflow versions that ever had an item (unfiltered leases read it) |
 * | `<p>:workers` | hash | workerId → WorkerHealth JSON |
 * | `<p>:feed` | stream | every run event (field `e`: RunEvent JSON), trimmed to ~100 000 entries: the change feed |
 *
 * The `runs:*` list indexes are kept by the scripts themselves (start-run, and every status change through
 * the prelude's `setStatus`), so they never disagree with a run's stored status.
 *
 * The feed stream and the `runs:*` list indexes are the keys a per-run script writes outside the run's hash
 * slot (the scripts derive them from the run key, so they stay atomic with the run and its events). On
 * Redis Cluster those writes are cross-slot accesses, which Cluster refuses: until they are sharded per
 * slot, the Redis backend needs a single Redis server (or a primary with replicas), not a Cluster.
 */
export class RedisKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** One per-run key. */
  run(runId: string, name: RunKeyName): string {
    return `${this.prefix}:{${runId}}:${name}`;
  }

  /** Every per-run key in {@link RUN_KEY_NAMES} order (the scripts' `KEYS[1..13]`). */
  runKeys(runId: string): string[] {
    return RUN_KEY_NAMES.map((name) => this.run(runId, name));
  }

  /** The arrivals of one join item. */
  join(runId: string, joinItemId: string): string {
    return `${this.prefix}:{${runId}}:joins:${joinItemId}`;
  }

  /** The wide fan-outs of a run whose successors are still being materialised (stage token → lease). */
  fanouts(runId: string): string {
    return `${this.prefix}:{${runId}}:fanouts`;
  }

  /** The staged successors of one wide fan-out commit, named by a token unique to that commit attempt. */
  stage(runId: string, token: string): string {
    return `${this.prefix}:{${runId}}:stage:${token}`;
  }

  /** The entries of one event-log context field (a list; see `scripts/context-fields.lua.ts`). */
  contextLog(runId: string, field: string): string {
    return `${this.run(runId, 'ctx')}log:${field}`;
  }

  /** The event ids of one event-log context field (a set). */
  contextIds(runId: string, field: string): string {
    return `${this.run(runId, 'ctx')}ids:${field}`;
  }

  /** Global listing index of runs. */
  get runs(): string {
    return `${this.prefix}:runs`;
  }

  /** Time-ordered list index of the runs with this status (kept by the scripts). */
  runsByStatus(status: string): string {
    return `${this.prefix}:runs:status:${status}`;
  }

  /** Time-ordered list index of the runs of this workflow (kept by the scripts). */
  runsByWorkflow(workflow: string): string {
    return `${this.prefix}:runs:workflow:${workflow}`;
  }

  /** Time-ordered list index of the runs of this workflow with this status (kept by the scripts). */
  runsByWorkflowStatus(workflow: string, status: string): string {
    return `${this.prefix}:runs:wfstatus:${status}:${workflow}`;
  }

  /** Lexicographic index of run ids, for prefix search (kept by the start-run script). */
  get runIds(): string {
    return `${this.prefix}:runs:ids`;
  }

  /** Finished runs of one status and workflow, scored by the server time they finished (kept by the prelude's `setStatus`). */
  finished(status: string, workflow: string): string {
    return `${this.prefix}:runs:finished:${status}:${workflow}`;
  }

  /** Workflows that have finished runs (kept by the prelude's `setStatus`). */
  get finishedWorkflows(): string {
    return `${this.prefix}:runs:finishedwf`;
  }

  /** Global set of runs that may still have outbox entries to flush. */
  get active(): string {
    return `${this.prefix}:active`;
  }

  /** Global sorted set of runs with a deadline (score: `deadlineAt`), checked by the sweeper. */
  get deadlines(): string {
    return `${this.prefix}:deadlines`;
  }

  /** Global set of the BullMQ queue names (lanes) items were ever handed to. */
  get lanes(): string {
    return `${this.prefix}:lanes`;
  }

  /** Global hash of worker heartbeats. */
  get workers(): string {
    return `${this.prefix}:workers`;
  }

  /** Global change-feed stream (see the table above). */
  get feed(): string {
    return `${this.prefix}:feed`;
  }

  /** Glob matching every key of this prefix (BullMQ's included), for cleanup. */
  get pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
  }
}

/** The member of the `runs` index: zero-padded `createdAt`, so lexicographic order is time order. */
export function runIndexMember(createdAt: number, runId: string): string {
  return `${String(Math.max(0, Math.floor(createdAt))).padStart(16, '0')}:${runId}`;
}

/** Splits a `runs` index member back into its parts. */
export function parseRunIndexMember(member: string): { createdAt: number; runId: string } {
  const sep = member.indexOf(':');
  return { createdAt: Number(member.slice(0, sep)), runId: member.slice(sep + 1) };
}
