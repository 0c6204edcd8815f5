import { keySlot } from './slot.js';

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
 * Number of shards of a prefix: each run belongs to one (by a hash of its run id), and each shard has its
 * own hash tag, run list indexes, active set, deadline set and feed stream. Part of the stored layout: a
 * different value would lose track of stored runs.
 */
export const RUN_SHARDS = 16;

/** The shard numbers `0 .. RUN_SHARDS - 1`. */
export const SHARDS: readonly number[] = Array.from({ length: RUN_SHARDS }, (_, i) => i);

/** The shard of a run: FNV-1a of its id, modulo {@link RUN_SHARDS}. */
export function shardOf(runId: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(runId, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h % RUN_SHARDS;
}

/** Run ids grouped by shard (for multi-member commands on a shard's index). */
export function groupByShard(runIds: readonly string[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const runId of runIds) {
    const k = shardOf(runId);
    const group = out.get(k);
    if (group) group.push(runId);
    else out.set(k, [runId]);
  }
  return out;
}

/**
 * The hash tag of shard `k` of a prefix: `<prefix>#<k>`, or `<prefix>#<k>.<n>` with the smallest `n` whose
 * slot lies in the k-th sixteenth of the 16 384 slots, so the shards spread evenly over the slot ranges
 * `redis-cli --cluster create` gives its masters. (A prefix with its own `{tag}` puts every key in that
 * tag's slot: then the first candidate is taken.)
 */
function shardTag(prefix: string, k: number): string {
  const width = 16_384 / RUN_SHARDS;
  for (let n = 0; n < 4_096; n += 1) {
    const tag = n === 0 ? `${prefix}#${k}` : `${prefix}#${k}.${n}`;
    if (Math.floor(keySlot(`${prefix}:{${tag}}`) / width) === k) return tag;
  }
  return `${prefix}#${k}`;
}

/**
 * The Redis key layout of one backend prefix.
 *
 * @remarks
 * Runs are spread over {@link RUN_SHARDS} shards (`shardOf(runId)`). Every key of a run and every index
 * the run's scripts write starts with its shard's base `<p>:{<tag>}` (the hash tag of the shard, see
 * `shardTag`), so one script, pipeline or transaction over a run touches one hash slot: valid on Redis
 * Cluster, and the shards' slots spread over the cluster's masters. The run's keys then carry `{<run>}`
 * (not a hash tag: only the first `{…}` of a key is) so the scripts can find the shard base from the run
 * key. Keys are namespaced by `prefix`, so two prefixes on one server never see each other's data. BullMQ's
 * keys live under `<p>:{<p>/<lane>}:<lane>:*`: one queue's keys share one slot, as BullMQ needs; one BullMQ
 * queue (lane) per workflow version, named `<queueName>.<version>.<encoded workflow name>`.
 *
 * `<s>` below is the shard base `<p>:{<tag>}`.
 *
 * | key | type | holds |
 * |---|---|---|
 * | `<s>:{<run>}:run` | hash | run info fields, `seq` (event counter), `gen` (re-add counter) |
 * | `<s>:{<run>}:ctx` | hash | `version`; per field `f:<field>` (JSON), `r:<field>` (reducer version), `split`, `logs`; or `state` (JSON, one document) until a worker's first read splits it |
 * | `<s>:{<run>}:ctxlog:<field>` | list | an event-log field's entries `{"id","event"}` in log order |
 * | `<s>:{<run>}:ctxids:<field>` | set | the event ids of that log (appends are idempotent by id) |
 * | `<s>:{<run>}:items` | hash | itemId → WorkItemState JSON |
 * | `<s>:{<run>}:order` | list | item ids in creation order |
 * | `<s>:{<run>}:live` | hash | itemId → `jobId\nattempt\nreadyAt\nitemJson` for items not yet consumed |
 * | `<s>:{<run>}:outbox` | hash | jobId → `readyAt\nitemJson`, jobs committed but not yet handed to BullMQ |
 * | `<s>:{<run>}:parked` | set | item ids set aside while the run is paused or failed |
 * | `<s>:{<run>}:leased` | hash | itemId → BullMQ lock token of its current lease (its owner) |
 * | `<s>:{<run>}:done` | set | `itemId#attempt` of every committed step (idempotency) |
 * | `<s>:{<run>}:events` | list | RunEvent JSON, `seq` n at index n-1 |
 * | `<s>:{<run>}:errors` | list | WorkflowErrorRecord JSON |
 * | `<s>:{<run>}:metrics` | hash | counters and per-node timings |
 * | `<s>:{<run>}:payloads` | hash | itemId → `jobBase\nitemJson` of the item's latest attempt |
 * | `<s>:{<run>}:joins:<joinItemId>` | hash | branch index → value JSON, `total` |
 * | `<s>:{<run>}:fanouts` | hash | stage token → `owner\tleaseUntil` of each wide fan-out still being materialised |
 * | `<s>:{<run>}:stage:<token>` | list | successors of a wide fan-out not yet materialised (see fanout-drain.ts) |
 * | `<s>:runs` | sorted set | `<createdAt padded>:<runId>` (score 0) of the shard's runs, for listing newest first |
 * | `<s>:runs:status:<status>` | sorted set | the same members, for the shard's runs that have this status |
 * | `<s>:runs:workflow:<workflow>` | sorted set | the same members, for the shard's runs of this workflow |
 * | `<s>:runs:wfstatus:<status>:<workflow>` | sorted set | the same members, for both at once |
 * | `<s>:runs:ids` | sorted set | the shard's run ids (score 0), for run id prefix search |
 * | `<s>:active` | set | the shard's run ids that may have work left (outbox sweeper) |
 * | `<s>:deadlines` | sorted set | the shard's runIds scored by their `deadlineAt` (runs the sweeper fails once due) |
 * | `<s>:feed` | stream | every event of the shard's runs (field `e`: RunEvent JSON), trimmed to ~100 000 entries and by retention (see redis-retention.ts) |
 * | `<s>:runs:finished:<status>:<workflow>` | sorted set | the shard's finished run ids scored by the server time they finished (retention) |
 * | `<s>:runs:finishedwf` | set | the workflows with finished runs in the shard (retention walks their sets) |
 * | `<bull prefix>:<lane>:fair` | sorted set | run id → the last fair tag handed to the run's jobs in the lane (runs with a backlog only) |
 * | `<bull prefix>:<lane>:fairv` | string | the lane's fair-share virtual time (see scripts/fair-tags.lua.ts) |
 * | `<p>:lanes` | set | BullMQ queue names of the workflow versions that ever had an item (unfiltered leases read it; single-key commands) |
 * | `<p>:schedules` | hash | schedule id → ScheduleRecord JSON (without `lastTickAt`; single-key commands only) |
 * | `<p>:schedule-ticks` | sorted set | schedule id scored by the latest tick fired (raised with `ZADD GT`) |
 * | `<p>:workers` | hash | workerId → WorkerHealth JSON (single-key commands only) |
 *
 * The `runs:*` list indexes are kept by the scripts themselves (start-run, and every status change through
 * the prelude's `setStatus`), so they never disagree with a run's stored status. Readers of the global
 * views merge the shards: a run list page reads every shard's index (16 reads), the sweeper walks the
 * shards' active sets in turn, and the change feed's position is one stream id per shard (see
 * `RedisChangeFeed`).
 */
export class RedisKeys {
  readonly prefix: string;
  readonly #bases: readonly string[];

  constructor(prefix: string) {
    this.prefix = prefix;
    this.#bases = SHARDS.map((k) => `${prefix}:{${shardTag(prefix, k)}}`);
  }

  /** The base every key of shard `k` starts with: `<prefix>:{<tag>}`. */
  shardBase(k: number): string {
    return this.#bases[k] as string;
  }

  /** The base every key of a run starts with: `<shard base>:{<runId>}`. */
  #runBase(runId: string): string {
    return `${this.shardBase(shardOf(runId))}:{${runId}}`;
  }

  /** One per-run key. */
  run(runId: string, name: RunKeyName): string {
    return `${this.#runBase(runId)}:${name}`;
  }

  /** Every per-run key in {@link RUN_KEY_NAMES} order (the scripts' `KEYS[1..13]`). */
  runKeys(runId: string): string[] {
    const base = this.#runBase(runId);
    return RUN_KEY_NAMES.map((name) => `${base}:${name}`);
  }

  /** The arrivals of one join item. */
  join(runId: string, joinItemId: string): string {
    return `${this.#runBase(runId)}:joins:${joinItemId}`;
  }

  /** The wide fan-outs of a run whose successors are still being materialised (stage token → lease). */
  fanouts(runId: string): string {
    return `${this.#runBase(runId)}:fanouts`;
  }

  /** The staged successors of one wide fan-out commit, named by a token unique to that commit attempt. */
  stage(runId: string, token: string): string {
    return `${this.#runBase(runId)}:stage:${token}`;
  }

  /** The entries of one event-log context field (a list; see `scripts/context-fields.lua`). */
  contextLog(runId: string, field: string): string {
    return `${this.run(runId, 'ctx')}log:${field}`;
  }

  /** The event ids of one event-log context field (a set). */
  contextIds(runId: string, field: string): string {
    return `${this.run(runId, 'ctx')}ids:${field}`;
  }

  /** Listing index of the runs of shard `k`. */
  runs(k: number): string {
    return `${this.shardBase(k)}:runs`;
  }

  /** Time-ordered list index of shard `k`'s runs with this status (kept by the scripts). */
  runsByStatus(status: string, k: number): string {
    return `${this.shardBase(k)}:runs:status:${status}`;
  }

  /** Time-ordered list index of shard `k`'s runs of this workflow (kept by the scripts). */
  runsByWorkflow(workflow: string, k: number): string {
    return `${this.shardBase(k)}:runs:workflow:${workflow}`;
  }

  /** Time-ordered list index of shard `k`'s runs of this workflow with this status (kept by the scripts). */
  runsByWorkflowStatus(workflow: string, status: string, k: number): string {
    return `${this.shardBase(k)}:runs:wfstatus:${status}:${workflow}`;
  }

  /** Lexicographic index of shard `k`'s run ids, for prefix search (kept by the start-run script). */
  runIds(k: number): string {
    return `${this.shardBase(k)}:runs:ids`;
  }

  /** Shard `k`'s set of runs that may still have outbox entries to flush. */
  active(k: number): string {
    return `${this.shardBase(k)}:active`;
  }

  /** Shard `k`'s finished runs of one status and workflow, scored by the server time they finished (kept by the prelude's `setStatus`). */
  finished(status: string, workflow: string, k: number): string {
    return `${this.shardBase(k)}:runs:finished:${status}:${workflow}`;
  }

  /** Shard `k`'s workflows that have finished runs (kept by the prelude's `setStatus`). */
  finishedWorkflows(k: number): string {
    return `${this.shardBase(k)}:runs:finishedwf`;
  }

  /** Shard `k`'s sorted set of runs with a deadline (score: `deadlineAt`), checked by the sweeper. */
  deadlines(k: number): string {
    return `${this.shardBase(k)}:deadlines`;
  }

  /** Shard `k`'s change-feed stream (see the table above). */
  feed(k: number): string {
    return `${this.shardBase(k)}:feed`;
  }

  /** Global set of the BullMQ queue names (lanes) items were ever handed to. */
  get lanes(): string {
    return `${this.prefix}:lanes`;
  }

  /**
   * Sorted set of the live leases of a workflow version with a `maxConcurrency` (job id → lock deadline,
   * server time), counted by the lease calls of every process (see lease-limits.ts).
   */
  leaseLimit(workflow: string, version: number): string {
    return `${this.prefix}:limit:${version}:${encodeURIComponent(workflow)}`;
  }

  /** Global hash of worker heartbeats. */
  get workers(): string {
    return `${this.prefix}:workers`;
  }

  /** Global hash of stored schedules. */
  get schedules(): string {
    return `${this.prefix}:schedules`;
  }

  /** Global sorted set of each schedule's latest fired tick. */
  get scheduleTicks(): string {
    return `${this.prefix}:schedule-ticks`;
  }

  /**
   * The BullMQ prefix of a queue: `<prefix>:{<prefix>/<queueName>}`, so the queue's keys
   * (`<bull prefix>:<queueName>:*`) share one hash slot, as BullMQ requires on Cluster.
   */
  bullPrefix(queueName: string): string {
    return `${this.prefix}:{${this.prefix}/${queueName}}`;
  }

  /**
   * Fair share of a lane (BullMQ queue), in the lane's slot: the sorted set of runs' last fair tags and the
   * lane's virtual time (see scripts/fair-tags.lua.ts).
   */
  fair(queueName: string): { readonly runs: string; readonly clock: string } {
    const base = `${this.bullPrefix(queueName)}:${queueName}`;
    return { runs: `${base}:fair`, clock: `${base}:fairv` };
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
