import { CorruptRecordError, RunStateError } from '@floxide/core';
import type { WorkItem } from '@floxide/core/engine';
import {
  runNotFoundError,
  type ParkRequest,
  type ParkResult,
  type RunStatus,
  type SignalDelivery,
  type SignalResult,
  type SignalStore,
} from '@floxide/distributed';
import type { RedisDurability } from './durability.js';
import { itemHead, jobBase, jobIdOf } from './item-codec.js';
import type { RedisShared } from './redis-shared.js';
import { parseLeaseToken } from './redis-work-queue.js';
import { LuaScript } from './scripts/lua-script.js';
import { DELIVER_LUA } from './scripts/generated/deliver.js';
import { PARK_LUA } from './scripts/generated/park.js';

const PARK = new LuaScript(PARK_LUA);
const DELIVER = new LuaScript(DELIVER_LUA);

/** Options of {@link RedisSignalStore}: the backend's shared state and what a park ends with a lease. */
export interface RedisSignalStoreOptions {
  readonly shared: RedisShared;
  readonly durability: RedisDurability | undefined;
  /** Ends the lease's fleet-limit entry (`maxConcurrency`), as a commit does. */
  readonly endLimit: (item: WorkItem, jobId: string) => Promise<void>;
}

/**
 * Signal waits on Redis: one Lua script per park and per delivery in the run's slot (see
 * `scripts/signals-common.lua, park.lua, deliver.lua`), then, like a commit, the hand-off of new jobs to BullMQ and the completion of
 * the parked lease's job. A crash in between leaves the outbox to the sweeper (the run is in its shard's
 * active set) and the job to lock expiry (its claim drops it as stale).
 */
export class RedisSignalStore implements SignalStore {
  readonly #options: RedisSignalStoreOptions;

  constructor(options: RedisSignalStoreOptions) {
    this.#options = options;
  }

  /** Parks the leased item on its signal, or hands it a stored one (see `SignalStore.park`). */
  async park(request: ParkRequest): Promise<ParkResult> {
    const { shared: s, durability } = this.#options;
    const item = request.lease.item;
    const { lockToken, jobId } = parseLeaseToken(request.lease.token);
    const leaseJobId = jobId || jobIdOf(item);
    const { parked: _parked, delivered: _delivered, input: _input, ...plain } = item;
    const next = { ...plain, attempt: item.attempt + 1, waitAttempts: (item.waitAttempts ?? 0) + 1 };
    const control = {
      runId: item.runId,
      itemId: item.itemId,
      attempt: item.attempt,
      node: item.node,
      jobId: leaseJobId,
      carried: leaseJobId !== jobIdOf(item),
      base: jobBase(item.runId, item.itemId),
      name: request.name,
      ...(request.timeoutMs === undefined ? {} : { timeoutMs: Math.max(0, Math.ceil(request.timeoutMs)) }),
      at: Math.round(request.at),
      ...(request.refused === undefined ? {} : { refused: true }),
    };
    const record =
      request.refused === undefined
        ? ''
        : JSON.stringify({
            runId: item.runId,
            itemId: item.itemId,
            node: item.node,
            attempt: item.attempt,
            error: request.refused,
            at: request.at,
          });
    const args = [
      JSON.stringify(control),
      itemHead(next),
      JSON.stringify(item.input) ?? 'null',
      JSON.stringify(request.name),
      record,
    ];
    const reply = (await s.guard('signals.park', () =>
      PARK.run(s.client, s.keys.runKeys(item.runId), args, durability),
    )) as [string, string, string[]];
    const [verdict, runStatus, outbox] = reply;
    if (verdict === 'corrupt') {
      throw new CorruptRecordError(
        `Run ${item.runId} has a corrupt stored record (${runStatus}); the step was not parked and the run was failed`,
      );
    }
    if (verdict === 'rejected') return { status: 'rejected', runStatus: runStatus as RunStatus };
    const lane = s.laneOf(item.workflow, item.version, item.priority ?? 0);
    // Durable now: the hand-off and the job's completion are recovered by the sweeper and lock expiry.
    await Promise.all([
      s.flush(outbox).catch(() => undefined),
      s.complete(leaseJobId, lockToken, lane).catch(() => undefined),
      this.#options.endLimit(item, leaseJobId).catch(() => undefined),
    ]);
    if (verdict === 'duplicate') return { status: 'duplicate' };
    return { status: verdict as 'parked' | 'delivered', runStatus: runStatus as RunStatus };
  }

  /** Delivers a signal to the oldest parked item waiting for it, else stores it. */
  async deliver(signal: SignalDelivery): Promise<SignalResult> {
    const { shared: s, durability } = this.#options;
    const args = [
      JSON.stringify({
        runId: signal.runId,
        name: signal.name,
        ...(signal.signalId === undefined ? {} : { signalId: signal.signalId }),
      }),
      JSON.stringify(signal.payload ?? null),
      JSON.stringify(signal.name),
    ];
    const reply = (await s.guard('signals.deliver', () =>
      DELIVER.run(s.client, s.keys.runKeys(signal.runId), args, durability),
    )) as [string, string, string[]];
    const [verdict, detail, outbox] = reply;
    if (verdict === 'missing') throw runNotFoundError(signal.runId);
    if (verdict === 'state') {
      throw new RunStateError(`Cannot signal '${signal.name}' to run ${signal.runId}: it is ${detail}`);
    }
    if (verdict === 'delivered') {
      await s.flush(outbox).catch(() => undefined);
      return { status: 'delivered', itemId: detail };
    }
    return { status: verdict as 'stored' | 'duplicate' };
  }
}
