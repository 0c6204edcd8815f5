import { BackendError } from '@floxide/core';
import { RUN_SHARDS } from './keys.js';

/** One stream entry as ioredis returns it: `[id, [field, value, ...]]`. */
export type StreamEntry = [string, string[]];

/** A feed entry read from one shard's stream, and the feed position right after it. */
export interface ShardEntry {
  readonly shard: number;
  readonly entry: StreamEntry;
  readonly position: string;
}

/**
 * A change-feed position: the id of the last entry read from each shard's stream (`0-0`: none), written
 * as the ids joined by `,`. `''` is every shard at `0-0`.
 */
export function parsePosition(position: string): string[] {
  if (position === '') return Array.from({ length: RUN_SHARDS }, () => '0-0');
  const ids = position.split(',');
  if (ids.length !== RUN_SHARDS || !ids.every((id) => /^\d+-\d+$/.test(id))) {
    throw new BackendError(`Not a Redis change-feed position: ${JSON.stringify(position.slice(0, 80))}`);
  }
  return ids;
}

/** Compares two stream ids (`<ms>-<n>`) numerically. */
function compareIds(a: string, b: string): number {
  const [am = 0n, an = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bn = 0n] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (an !== bn) return an < bn ? -1 : 1;
  return 0;
}

/**
 * The first `limit` entries of the shards' reads (each in stream order) by stream id, ties by shard, each
 * with the position after it, and the position after them all: what a reader gets for one page. Entries left over are read again by the next page.
 */
export function mergePage(
  ids: readonly string[],
  perShard: readonly (readonly StreamEntry[])[],
  limit: number,
): { entries: ShardEntry[]; position: string[] } {
  const all = perShard.flatMap((entries, shard) => entries.map((entry) => ({ shard, entry })));
  all.sort((a, b) => compareIds(a.entry[0], b.entry[0]) || a.shard - b.shard);
  const position = [...ids];
  const entries = all.slice(0, limit).map(({ shard, entry }) => {
    position[shard] = entry[0];
    return { shard, entry, position: position.join(',') };
  });
  return { entries, position };
}
