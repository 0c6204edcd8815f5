import { randomUUID } from 'node:crypto';
import type { WorkItem } from '@floxide/core/engine';
import { NO_TERMINAL_OUTPUT, stageEntry, type WideStage } from './commit/commit-args.js';
import type { RedisShared } from './redis-shared.js';
import { FANOUT_LUA } from './scripts/generated/fanout.js';
import { LuaScript } from './scripts/lua-script.js';

const FANOUT = new LuaScript(FANOUT_LUA);
const NO_TERMINAL_JSON = JSON.stringify(NO_TERMINAL_OUTPUT);
/** Entries per RPUSH while staging (ARGV of one command), and RPUSH commands per pipeline round trip. */
const STAGE_CHUNK = 1_000;
const STAGE_PIPELINE = 10;
/**
 * A stage never committed (its worker died between staging and commit) expires after this long. A commit
 * PERSISTs its stage; a commit that finds its stage incomplete changes nothing (`restage`).
 */
const STAGE_TTL_MS = 3_600_000;

/** A staged successor could not be encoded as JSON (the commit turns it into a non-retryable error). */
export class StageEncodeError extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
    this.name = 'StageEncodeError';
  }
}

/** Settings of {@link FanoutDrain}. */
export interface FanoutDrainOptions {
  /** Successors materialised per script call; a commit with more successors than this is staged. */
  readonly batch: number;
  /** How long a drain owns a fan-out after each batch before another drain may take it over (ms). */
  readonly leaseMs: number;
}

/**
 * Wide fan-outs on Redis: staging a commit's successors, and materialising them in bounded batches.
 *
 * @remarks
 * One script that writes N successors holds the Redis server for O(N) (about 9 calls a branch: a
 * 100,000-branch commit outran Redis's 5 s script limit and every client got `BUSY`). Instead:
 * 1. the committing worker pushes the successors into a stage list of its own (plain RPUSH pipelines,
 *    expiring unless committed);
 * 2. the commit script checks the stage is complete and registers it in the run's `fanouts` hash —
 *    constant work, still one atomic, exactly-once commit;
 * 3. FANOUT_LUA batches (each applied whole, each trimming what it enqueued) turn the staged entries into
 *    items, outbox entries and then BullMQ jobs. The committing worker drains right after its commit; if it
 *    dies, the sweeper of any leasing process finds the registration and carries on once the dead drain's
 *    lease lapses; `resume` / `retryFailed` carry on too. Nothing is enqueued twice (a batch and its trim
 *    are one script) and nothing is lost (the stage keeps what no batch took yet).
 * A run with a registered fan-out is never treated as drained (`NO_TERMINAL_OUTPUT`).
 */
export class FanoutDrain {
  readonly #shared: RedisShared;
  readonly #batch: number;
  readonly #leaseMs: number;
  /** Drains in flight in this process, by `runId \n token`: one per fan-out. */
  readonly #running = new Map<string, Promise<void>>();

  constructor(shared: RedisShared, options: FanoutDrainOptions) {
    this.#shared = shared;
    this.#batch = Math.max(1, Math.floor(options.batch));
    this.#leaseMs = Math.max(100, options.leaseMs);
  }

  /** True when a commit with this many successors is staged and drained instead of written in one script. */
  isWide(successors: number): boolean {
    return successors > this.#batch;
  }

  /**
   * Pushes the successors into a fresh stage list of the run (bounded commands and round trips), encoding
   * one round trip's worth at a time so a wide fan-out is never held twice in memory; returns what the
   * commit script needs to register it. A value that cannot be JSON throws {@link StageEncodeError}; the
   * partial stage is deleted (and would expire anyway): no run state was written.
   */
  async stage(runId: string, successors: readonly WorkItem[]): Promise<WideStage> {
    const s = this.#shared;
    const token = randomUUID();
    const stageKey = s.keys.stage(runId, token);
    const perTrip = STAGE_CHUNK * STAGE_PIPELINE;
    for (let at = 0; at < successors.length; at += perTrip) {
      let entries: string[];
      try {
        entries = successors.slice(at, at + perTrip).map(stageEntry);
      } catch (error) {
        if (at > 0) await s.client.del(stageKey).catch(() => 0);
        throw new StageEncodeError(error);
      }
      const pipeline = s.client.pipeline();
      for (let i = 0; i < entries.length; i += STAGE_CHUNK) {
        pipeline.rpush(stageKey, ...entries.slice(i, i + STAGE_CHUNK));
      }
      pipeline.pexpire(stageKey, STAGE_TTL_MS);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    }
    return { token, stageKey, fanoutsKey: s.keys.fanouts(runId), count: successors.length };
  }

  /**
   * Materialises a registered fan-out batch by batch and hands each batch to BullMQ, one hand-off in flight
   * while the next batch is made (so memory stays bounded by two batches). Resolves when the fan-out is
   * done, owned by another drain, held (failed run) or the backend closes; a drain of the same fan-out
   * already running in this process is joined, not repeated.
   */
  drain(runId: string, token: string): Promise<void> {
    const key = `${runId}\n${token}`;
    const running = this.#running.get(key);
    if (running) return running;
    const p = this.#drain(runId, token).finally(() => this.#running.delete(key));
    this.#running.set(key, p);
    return p;
  }

  /** Carries on every fan-out of the run that is still registered (recovery paths). */
  async drainRun(runId: string): Promise<void> {
    const tokens = await this.#shared.client.hkeys(this.#shared.keys.fanouts(runId));
    await Promise.all(tokens.map((token) => this.drain(runId, token)));
  }

  async #drain(runId: string, token: string): Promise<void> {
    const s = this.#shared;
    const keys = [...s.keys.runKeys(runId), s.keys.fanouts(runId), s.keys.stage(runId, token)];
    const owner = randomUUID();
    let handing: Promise<void> = Promise.resolve();
    try {
      while (!s.closed) {
        const [verdict, outbox] = (await FANOUT.run(s.client, keys, [
          token,
          owner,
          this.#leaseMs,
          this.#batch,
          runId,
          NO_TERMINAL_JSON,
        ])) as [string, string[], number];
        await handing;
        // A failed hand-off leaves its entries in the outbox: the sweeper re-sends them.
        handing = s.flush(outbox).catch(() => undefined);
        if (verdict !== 'more') break;
      }
    } finally {
      await handing;
    }
  }
}
