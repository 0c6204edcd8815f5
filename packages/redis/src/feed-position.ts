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

/** A stream id (`<ms>-<n>`) with its parts parsed once, for sorting. */
interface IdKey {
  readonly id: string;
  readonly ms: number;
  readonly seq: number;
}

function idKey(id: string): IdKey {
  const dash = id.indexOf('-');
  return { id, ms: Number(id.slice(0, dash)), seq: Number(id.slice(dash + 1)) };
}

/**
 * Compares two stream ids numerically. Parts are compared as numbers, parsed once per entry: a page may
 * merge 16 shards × 1,000 entries, and parsing both ids into BigInts on every comparison took 180–250 ms
 * for such a page (load 9 on 2 cores) — a stall of the process's event loop, so of every `wait` in it.
 * A part beyond 2^53 (never from Redis's own clock, possible with ids set by hand) falls back to BigInt.
 */
function compareKeys(a: IdKey, b: IdKey): number {
  if (
    Number.isSafeInteger(a.ms) &&
    Number.isSafeInteger(b.ms) &&
    Number.isSafeInteger(a.seq) &&
    Number.isSafeInteger(b.seq)
  ) {
    return a.ms - b.ms || a.seq - b.seq;
  }
  const [am = 0n, an = 0n] = a.id.split('-').map(BigInt);
  const [bm = 0n, bn = 0n] = b.id.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (an !== bn) return an < bn ? -1 : 1;
  return 0;
}

/** True when stream id `a` (`<ms>-<n>`) comes after stream id `b`. */
export function laterId(a: string, b: string): boolean {
  return compareKeys(idKey(a), idKey(b)) > 0;
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
  const all = perShard.flatMap((entries, shard) =>
    entries.map((entry) => ({ shard, entry, key: idKey(entry[0]) })),
  );
  all.sort((a, b) => compareKeys(a.key, b.key) || a.shard - b.shard);
  const position = [...ids];
  const entries = all.slice(0, limit).map(({ shard, entry }) => {
    position[shard] = entry[0];
    return { shard, entry, position: position.join(',') };
  });
  return { entries, position };
}
