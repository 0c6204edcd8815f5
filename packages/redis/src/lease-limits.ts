import type { WorkItem } from '@floxide/core/engine';
import type { WorkflowRef } from '@floxide/distributed';
import type { RedisShared } from './redis-shared.js';
import { LEASE_ADMIT_LUA } from './scripts/generated/lease-admit.js';
import { LEASE_COUNT_LUA } from './scripts/generated/lease-count.js';
import { LEASE_EXTEND_LUA } from './scripts/generated/lease-extend.js';
import { LuaScript } from './scripts/lua-script.js';

const ADMIT = new LuaScript(LEASE_ADMIT_LUA);
const EXTEND = new LuaScript(LEASE_EXTEND_LUA);
const COUNT = new LuaScript(LEASE_COUNT_LUA);

/** The `leaseLimits` key of a workflow version. */
function limitKey(workflow: string, version: number): string {
  return `${version}@${workflow}`;
}

/**
 * Fleet-wide `maxConcurrency` on Redis: each limited workflow version has a sorted set of its live leases
 * (BullMQ job id → lock deadline on the server clock), shared by every process.
 *
 * @remarks
 * A lease call first leaves out the lanes of limited workflows whose set is full, then admits the jobs it
 * fetched of them through one script per workflow (lapsed entries dropped, at most the limit recorded);
 * a fetched job that is not admitted goes straight back to BullMQ's wait list, unclaimed. Heartbeats move
 * the deadlines; completing, handing back or releasing a job removes its entry; a strand keeps its
 * carrier job, so its entry, for the run's next items. A process that dies leaves its entries until their
 * deadlines lapse, when BullMQ's stalled check redelivers the jobs too: the limit is never exceeded, only
 * under-used for at most a lease.
 */
export class LeaseLimits {
  readonly #s: RedisShared;

  constructor(shared: RedisShared) {
    this.#s = shared;
  }

  /** Records the limits of a lease call's workflows. */
  learn(workflows: readonly WorkflowRef[] | undefined): void {
    for (const w of workflows ?? []) {
      if (w.maxConcurrency !== undefined)
        this.#s.leaseLimits.set(limitKey(w.name, w.version), w.maxConcurrency);
    }
  }

  /** The workflows (of `workflows`) whose limit is reached now. */
  async full(workflows: readonly WorkflowRef[] | undefined): Promise<WorkflowRef[]> {
    const limited = (workflows ?? []).filter((w) => w.maxConcurrency !== undefined);
    const counts = await Promise.all(
      limited.map((w) => COUNT.run(this.#s.client, [this.#s.keys.leaseLimit(w.name, w.version)], [])),
    );
    return limited.filter((w, i) => Number(counts[i]) >= (w.maxConcurrency ?? Infinity));
  }

  /**
   * Which of the fetched jobs' items may be claimed: true for items of unlimited workflows, and for the
   * admitted ones of each limited workflow (in fetch order).
   */
  async admit(items: readonly { item: WorkItem; jobId: string }[], leaseMs: number): Promise<boolean[]> {
    const s = this.#s;
    const admitted = items.map(() => true);
    const groups = new Map<string, number[]>();
    items.forEach(({ item }, i) => {
      const key = limitKey(item.workflow, item.version);
      if (!s.leaseLimits.has(key)) return;
      const group = groups.get(key) ?? [];
      group.push(i);
      groups.set(key, group);
    });
    await Promise.all(
      [...groups].map(async ([key, indexes]) => {
        const first = items[indexes[0] as number] as { item: WorkItem };
        const n = Number(
          await ADMIT.run(
            s.client,
            [s.keys.leaseLimit(first.item.workflow, first.item.version)],
            [s.leaseLimits.get(key) ?? 0, Math.round(leaseMs), ...indexes.map((i) => items[i]?.jobId ?? '')],
          ),
        );
        indexes.slice(n).forEach((i) => (admitted[i] = false));
      }),
    );
    return admitted;
  }

  /** Moves the deadline of a limited workflow's lease (a heartbeat). */
  async extend(item: WorkItem, jobId: string, leaseMs: number): Promise<void> {
    if (!this.#s.leaseLimits.has(limitKey(item.workflow, item.version))) return;
    await EXTEND.run(
      this.#s.client,
      [this.#s.keys.leaseLimit(item.workflow, item.version)],
      [jobId, Math.round(leaseMs)],
    );
  }

  /** Removes a limited workflow's lease (its job completed, went back, or was released). */
  async end(item: WorkItem, jobId: string): Promise<void> {
    if (!this.#s.leaseLimits.has(limitKey(item.workflow, item.version))) return;
    await this.#s.client.zrem(this.#s.keys.leaseLimit(item.workflow, item.version), jobId);
  }
}
