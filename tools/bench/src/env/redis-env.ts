import { Redis } from 'ioredis';

/** Deletes every key starting with `prefix` (SCAN + UNLINK, never KEYS); returns how many. */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Counts the keys starting with `prefix` (SCAN, never KEYS). */
export async function countKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  let count = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return count;
}

/** Escapes the glob characters of a literal prefix for SCAN MATCH. */
function escapeGlob(prefix: string): string {
  return prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** The server's version string (`INFO server`). */
export async function redisVersion(url: string): Promise<string | undefined> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1];
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

/** Per-command call counts of the whole server (`INFO commandstats`), Lua-internal calls included. */
export async function commandStats(url: string): Promise<Map<string, number>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const info = await redis.info('commandstats');
    const stats = new Map<string, number>();
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      stats.set(match[1] as string, Number(match[2]));
    }
    return stats;
  } finally {
    redis.disconnect();
  }
}

/** `after − before` per command, dropping the commands that did not move. */
export function diffCommandStats(
  before: Map<string, number>,
  after: Map<string, number>,
): Map<string, number> {
  const diff = new Map<string, number>();
  for (const [name, calls] of after) {
    const delta = calls - (before.get(name) ?? 0);
    if (delta > 0) diff.set(name, delta);
  }
  return diff;
}
