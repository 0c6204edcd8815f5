// What an idle change-feed reader costs the server: a long poll from a position the previous one found
// nothing after is one `XREAD BLOCK` — the shards' read scripts run again only once an entry arrives — and
// that read still sees an entry that arrived, and a gap trimmed past the position. A private redis-server,
// so `INFO commandstats` counts this test's commands only.
import { testRun } from '@floxide/conformance';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARDS } from './keys.js';
import { RedisBackend } from './redis-backend.js';
import { RedisServerProcess } from './test-support/redis-server-process.js';
import { testPrefix } from './test-support/redis-test-backend.js';

/** Calls of each command the server ran so far (`INFO commandstats`), Lua's inner calls included. */
async function commandCalls(client: Redis): Promise<Map<string, number>> {
  const info = await client.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1] as string, Number(match[2]));
  }
  return calls;
}

function callsBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const diff = new Map<string, number>();
  for (const [name, count] of after) {
    const delta = count - (before.get(name) ?? 0);
    if (delta > 0) diff.set(name, delta);
  }
  return diff;
}

describe('an idle change-feed reader on Redis', () => {
  let server: RedisServerProcess;
  let client: Redis;
  let backend: RedisBackend;

  beforeAll(async () => {
    server = await RedisServerProcess.start();
    client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    backend = new RedisBackend({
      connection: server.url,
      prefix: testPrefix('feed-idle'),
      sweepIntervalMs: 0,
    });
  }, 30_000);
  afterAll(async () => {
    await backend?.close();
    await client?.quit();
    await server?.stop();
  });

  it('costs one XREAD per long poll once a poll found nothing, and still gets the next entry', async () => {
    const head = await backend.feed.head();
    // The first long poll reads every shard (its scripts), then blocks.
    expect((await backend.feed.read(head, { waitMs: 150 })).events).toEqual([]);
    const before = await commandCalls(client);
    for (let i = 0; i < 4; i += 1) {
      const page = await backend.feed.read(head, { waitMs: 150 });
      expect(page).toEqual({ events: [], position: head });
    }
    const idle = callsBetween(before, await commandCalls(client));
    idle.delete('info');
    expect(Object.fromEntries(idle)).toEqual({ xread: 4 });

    // An entry arriving during a quiet long poll ends it, and the page comes from the shards' scripts.
    const waiting = backend.feed.read(head, { waitMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await backend.startRun(testRun('woken'));
    const page = await waiting;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(page.gap).toBeUndefined();
    expect(page.events.map((e) => [e.runId, e.type])).toEqual([['woken', 'run.status']]);
  });

  it('a quiet long poll still reports entries trimmed past its position before it read them', async () => {
    const head = await backend.feed.head();
    expect((await backend.feed.read(head, { waitMs: 100 })).events).toEqual([]);
    // Entries come and are trimmed away (retention or the length cap) before the reader looks again.
    await backend.startRun(testRun('lost-1'));
    await backend.startRun(testRun('lost-2'));
    for (const k of SHARDS) await client.xtrim(backend.keys.feed(k), 'MAXLEN', 0);
    await backend.startRun(testRun('kept'));
    const page = await backend.feed.read(head, { waitMs: 1_000 });
    expect(page.gap).toBe(true);
    expect(page.events.map((e) => e.runId)).toEqual(['kept']);
  });
});
