import type { Backend } from '@floxide/distributed';
import { Redis } from 'ioredis';
import { jobBase } from '../item-codec.js';
import type { RedisBackend } from '../redis-backend.js';
import { REDIS_URL } from './redis-test-backend.js';

/** The stored records of a run {@link corruptRedisRecord} can overwrite. */
export type CorruptRecordKind = 'run' | 'item' | 'context' | 'join' | 'outbox' | 'job';

/** Every {@link CorruptRecordKind}, for tests that go through all of them. */
export const CORRUPT_RECORD_KINDS: readonly CorruptRecordKind[] = [
  'run',
  'item',
  'context',
  'join',
  'outbox',
  'job',
];

/**
 * Overwrites the stored record of `kind` belonging to `runId` with garbage (wrong JSON shape or non-JSON),
 * for corrupt-record scenarios. `backend` must be a {@link RedisBackend} on `REDIS_URL`.
 *
 * @remarks What each kind overwrites:
 * - `run`: the run hash's event and re-add counters and its input (`status` and `runId` stay readable, so
 *   the run can still be resumed and found);
 * - `item`: every item state of the run (a JSON string instead of an object) and every queue (live) entry;
 * - `context`: the context's state (non-JSON) and version;
 * - `join`: every join state of the run (arrival counter, first value);
 * - `outbox`: every outbox entry; when the outbox is empty, a garbage entry under a job id of the run;
 * - `job`: the BullMQ job data of every queued or delayed job of the run (throws when there is none).
 */
export async function corruptRedisRecord(
  backend: Backend,
  runId: string,
  kind: CorruptRecordKind,
): Promise<void> {
  const redis = backend as RedisBackend;
  const key = (name: string): string => `${redis.keys.run(runId, 'run').slice(0, -'run'.length)}${name}`;
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    switch (kind) {
      case 'run':
        await client.hset(key('run'), 'seq', 'garbage', 'gen', '#', 'input', '{"input":');
        return;
      case 'item': {
        const items = await client.hkeys(key('items'));
        const live = await client.hkeys(key('live'));
        if (items.length === 0) throw new Error(`run ${runId} has no item states to corrupt`);
        for (const id of items) await client.hset(key('items'), id, '"garbage"');
        for (const id of live) await client.hset(key('live'), id, 'garbage');
        return;
      }
      case 'context':
        await client.hset(key('ctx'), 'state', 'garbage{', 'version', 'x');
        return;
      case 'join': {
        const joins = await scanKeys(client, `${escapeGlob(key('joins:'))}*`);
        if (joins.length === 0) throw new Error(`run ${runId} has no join state to corrupt`);
        for (const k of joins) await client.hset(k, 'n', 'garbage', 'v:0', '{"garbage":');
        return;
      }
      case 'outbox': {
        const jobIds = await client.hkeys(key('outbox'));
        if (jobIds.length === 0) jobIds.push(`${jobBase(runId, 'corrupt')}/1`);
        for (const jobId of jobIds) await client.hset(key('outbox'), jobId, 'garbage');
        return;
      }
      case 'job': {
        const entries = await client.hvals(key('live'));
        const [workflow, version] = await client.hmget(key('run'), 'workflow', 'version');
        const lane = redis.bullQueueName(workflow ?? '', Number(version));
        let hit = 0;
        for (const entry of entries) {
          const jobId = entry.slice(0, entry.indexOf('\n'));
          const jobKey = `${redis.keys.bullPrefix(lane)}:${lane}:${jobId}`;
          if ((await client.hexists(jobKey, 'data')) === 1) {
            await client.hset(jobKey, 'data', '{garbage');
            hit += 1;
          }
        }
        if (hit === 0) throw new Error(`run ${runId} has no queued BullMQ job to corrupt`);
        return;
      }
    }
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}

async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
