import { ValidationError } from '@floxide/core';
import { joinItemId } from '@floxide/core/engine';
import type { Retention } from '@floxide/distributed';
import { decodeItem } from './item-codec.js';
import type { RedisShared } from './redis-shared.js';
import { SHARDS } from './keys.js';
import { DELETE_RUN_LUA } from './scripts/generated/delete-run.js';
import { FEED_TRIM_LUA } from './scripts/generated/feed-trim.js';
import { LuaScript } from './scripts/lua-script.js';

const DELETE_RUN = new LuaScript(DELETE_RUN_LUA);
const FEED_TRIM = new LuaScript(FEED_TRIM_LUA);
const FINAL = ['completed', 'failed', 'cancelled'] as const;
/** The least default time feed entries are kept (see {@link feedRetentionMs}). */
export const FEED_RETENTION_FLOOR_MS = 30_000;

/**
 * How long change-feed entries are kept under a retention policy: `option` when given (a non-negative
 * number of ms, `Infinity`: the length cap only), else the policy's shortest retention time but at least
 * {@link FEED_RETENTION_FLOOR_MS}. The feed serves live readers (a run's history is its event list, kept
 * with the run): entries younger than the floor keep a reader that falls a few seconds behind (a loaded
 * process) from losing events and re-reading state; older ones only cost memory.
 * Throws `ValidationError` for a bad `option`.
 */
export function feedRetentionMs(retention: Retention, option: number | undefined): number {
  if (option !== undefined) {
    if (typeof option !== 'number' || Number.isNaN(option) || option < 0)
      throw new ValidationError(
        `feedRetentionMs must be a non-negative number of ms or Infinity (got ${String(option)})`,
      );
    return option;
  }
  return Math.max(FEED_RETENTION_FLOOR_MS, retention.shortestMs);
}
/** Runs one sweep deletes at once (see `sweep`). */
const DELETE_CONCURRENCY = 64;

/**
 * Deletes finished runs whose retention time passed (server clock), with every key they own and their
 * BullMQ jobs, from the per-status, per-workflow retention sets the scripts keep.
 *
 * @remarks One sweep visits at most `batch` due runs per set and deletes each with one script
 * (`DELETE_RUN_LUA`, which re-checks status and finish time, so a run revived meanwhile stays). The join
 * hashes of a run are found from the fan-out frames of its items' stored payloads.
 *
 * Each sweep also trims the change feed's streams by age (`FEED_TRIM_LUA`, on the stream's own server
 * clock): entries older than `feedKeepMs` (see {@link feedRetentionMs}) go. Without it only the feed's
 * length cap bounded it: about 300 MB at bench P15's runs.
 */
export class RedisRetention {
  readonly #shared: RedisShared;
  readonly #retention: Retention;
  readonly #batch: number;
  readonly #feedKeepMs: number;

  constructor(shared: RedisShared, retention: Retention, batch: number, feedKeepMs: number) {
    this.#shared = shared;
    this.#retention = retention;
    this.#batch = Math.max(1, batch);
    this.#feedKeepMs = feedKeepMs;
  }

  /** Deletes the due runs of one sweep and trims the change feed by age; returns how many runs it deleted. */
  async sweep(): Promise<number> {
    const deleted = await this.#sweepRuns();
    await this.trimFeed();
    return deleted;
  }

  /**
   * Drops the change-feed entries older than the feed's retention time, shard by shard; returns how many.
   * Readers whose position was trimmed are told of the gap by their next read (see RedisChangeFeed).
   */
  async trimFeed(): Promise<number> {
    const keepMs = this.#feedKeepMs;
    if (!Number.isFinite(keepMs)) return 0;
    const s = this.#shared;
    const removed = await Promise.all(
      SHARDS.map((k) => FEED_TRIM.run(s.client, [s.keys.feed(k)], [Math.ceil(keepMs)])),
    );
    return removed.reduce<number>((sum, n) => sum + Number(n), 0);
  }

  async #sweepRuns(): Promise<number> {
    const s = this.#shared;
    const [sec, usec] = await s.client.time();
    const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    let deleted = 0;
    // Each shard keeps its own retention sets (in its slot, written by the run's scripts).
    for (const k of SHARDS) {
      for (const workflow of await s.client.smembers(s.keys.finishedWorkflows(k))) {
        for (const status of FINAL) {
          const keepMs = this.#retention.keepMs(status, workflow);
          if (!Number.isFinite(keepMs)) continue;
          const cutoff = now - keepMs;
          const key = s.keys.finished(status, workflow, k);
          const due = await s.client.zrangebyscore(key, '-inf', cutoff, 'LIMIT', 0, this.#batch);
          // Runs of a chunk are deleted concurrently (their commands share the connection's pipeline):
          // one at a time, a run's four round trips capped a sweep near 500 runs/s, below what a busy
          // fleet finishes, and the backlog of finished runs grew without bound (bench P15 at 10,000
          // runs per wave).
          for (let i = 0; i < due.length; i += DELETE_CONCURRENCY) {
            const chunk = due.slice(i, i + DELETE_CONCURRENCY);
            const verdicts = await Promise.all(chunk.map((runId) => this.#delete(runId, status, cutoff)));
            for (const [j, verdict] of verdicts.entries()) {
              if (verdict === 'deleted') deleted += 1;
              else if (verdict === 'gone') await s.client.zrem(key, chunk[j] as string);
            }
          }
        }
      }
    }
    return deleted;
  }

  async #delete(runId: string, status: string, cutoff: number): Promise<string> {
    const s = this.#shared;
    const [payloads, live, run] = await Promise.all([
      s.client.hvals(s.keys.run(runId, 'payloads')),
      s.client.hvals(s.keys.run(runId, 'live')),
      s.client.hmget(s.keys.run(runId, 'run'), 'workflow', 'version'),
    ]);
    const joins = new Set<string>();
    for (const payload of payloads) {
      try {
        const item = decodeItem(payload.slice(payload.indexOf('\n') + 1));
        for (const frame of item.branches)
          joins.add(s.keys.join(runId, joinItemId(frame.fanOutItemId, frame.join)));
      } catch {
        // An unreadable payload names no join; its keys go with the run's own.
      }
    }
    const verdict = (await DELETE_RUN.run(s.client, s.keys.runKeys(runId), [
      status,
      cutoff,
      ...joins,
    ])) as string;
    if (verdict === 'deleted') {
      const jobIds = live.map((entry) => entry.slice(0, entry.indexOf('\n')));
      const lanes = await s.lanesOf([{ name: run[0] ?? '', version: Number(run[1]) }]);
      await Promise.all(
        lanes.map(async (lane) => {
          if (jobIds.length > 0) await s.remove(jobIds, lane);
          // The run's last fair tag in the lane (fair-share.ts): the tag script forgets it once the lane's
          // virtual time passes it, which a lane that went idle never does. Another slot than the run's.
          await s.client.zrem(s.keys.fair(lane).runs, runId);
        }),
      );
    }
    return verdict;
  }
}
