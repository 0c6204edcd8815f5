import type { Queue } from 'bullmq';
import type { RedisClient } from './connection.js';
import type { RedisKeys } from './keys.js';
import { FAIR_TAGS_LUA } from './scripts/generated/fair-tags.js';
import { LuaScript } from './scripts/lua-script.js';

const FAIR_TAGS = new LuaScript(FAIR_TAGS_LUA);

/** BullMQ's largest job priority (`PRIORITY_LIMIT`): fair tags are clamped to it. */
export const FAIR_TAG_LIMIT = 2 ** 21 - 1;

/** The jobs `addBulk` takes. */
type BulkJobs = Parameters<Queue['addBulk']>[0];

/**
 * Sets the BullMQ priority of jobs about to be added to one lane to their start-time fair tags (see
 * scripts/fair-tags.lua.ts), so BullMQ serves the lane's runs in turns: a run queued behind another run's
 * backlog waits for about one job per run with a backlog, not for the backlog. Jobs of one run keep their
 * order. `runOf` names a job's run; `limit` is the largest tag (BullMQ's limit; smaller in tests).
 *
 * @remarks One script call per lane and hand-off. A job id BullMQ already holds (a repeated hand-off) keeps
 * the tag it was added with; the tags handed out for it again only move its run's turn later.
 */
export async function assignFairTags(
  client: RedisClient,
  keys: RedisKeys,
  lane: string,
  jobs: BulkJobs,
  runOf: (job: BulkJobs[number]) => string,
  limit = FAIR_TAG_LIMIT,
): Promise<void> {
  const counts = new Map<string, number>();
  for (const job of jobs) {
    const run = runOf(job);
    counts.set(run, (counts.get(run) ?? 0) + 1);
  }
  const fair = keys.fair(lane);
  const bull = `${keys.bullPrefix(lane)}:${lane}`;
  const args: (string | number)[] = [`${bull}:`, limit];
  for (const [run, n] of counts) args.push(run, n);
  const starts = (await FAIR_TAGS.run(
    client,
    [fair.runs, fair.clock, `${bull}:prioritized`, `${bull}:delayed`],
    args,
  )) as number[];
  const next = new Map<string, number>();
  [...counts.keys()].forEach((run, i) => next.set(run, Number(starts[i] ?? 0)));
  for (const job of jobs) {
    const run = runOf(job);
    const tag = (next.get(run) ?? 0) + 1;
    next.set(run, tag);
    (job.opts ??= {}).priority = Math.max(1, Math.min(tag, limit));
  }
}
