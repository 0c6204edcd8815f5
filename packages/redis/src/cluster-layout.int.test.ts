// On a Redis Cluster (FLOXIDE_REDIS_CLUSTER, see vitest.cluster.config.ts): runs spread over every master,
// BullMQ works through the Cluster client's duplicates, and nothing reaches the standalone 127.0.0.1:6379.
import type { NewRun } from '@floxide/distributed';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeTestBackend,
  CLUSTER_NODES,
  clusterClient,
  openTestBackend,
  REDIS_URL,
  testPrefix,
} from './test-support/redis-test-backend.js';

const RUNS = 48;

function newRun(runId: string): NewRun {
  const startItem = {
    itemId: `${runId}:start`,
    runId,
    workflow: 'wf',
    version: 1,
    node: 'a',
    input: 1,
    attempt: 1,
    branches: [],
  };
  return { runId, workflow: 'wf', version: 1, input: 1, context: {}, startItem, createdAt: 1_000 };
}

describe.skipIf(!CLUSTER_NODES)('RedisBackend on a 3-master Redis Cluster', () => {
  const client = clusterClient(CLUSTER_NODES ?? '');
  afterAll(() => client.quit());

  it('runs start → lease → commit for runs spread over every master; nothing reaches 127.0.0.1:6379', async () => {
    // The prefix of the issue's report: startRun failed with "All keys in the pipeline should belong to the
    // same slots allocation group".
    const prefix = testPrefix('fx2');
    const backend = openTestBackend({ connection: client, prefix, stalledIntervalMs: 100 });
    try {
      const runIds = Array.from({ length: RUNS }, (_, i) => `c-${i}`);
      await Promise.all(runIds.map((runId) => backend.startRun(newRun(runId))));
      let done = 0;
      while (done < RUNS) {
        const leases = await backend.queue.lease({ workerId: 'w', leaseMs: 5_000, max: 16, waitMs: 2_000 });
        expect(leases.length).toBeGreaterThan(0);
        const results = await Promise.all(
          leases.map((lease) =>
            backend.commit({
              lease,
              at: 2_000,
              outcome: {
                kind: 'advance',
                transition: 'next',
                successors: [],
                joins: [],
                output: { value: lease.item.runId },
                contextOps: [],
                durationMs: 1,
              },
            }),
          ),
        );
        for (const r of results) expect(r).toEqual({ status: 'committed', runStatus: 'completed' });
        done += results.length;
      }
      // Lists merge the shards: every run, newest first by (createdAt, id).
      const listed = await backend.runs.list({ status: 'completed', limit: RUNS });
      expect(listed.runs.map((r) => r.runId).sort()).toEqual([...runIds].sort());
      // The feed merges the shards' streams: queued, running, completed for every run.
      const page = await backend.feed.read('', { limit: 10_000 });
      expect(page.events.filter((e) => e.status === 'completed')).toHaveLength(RUNS);
      // Every master holds keys of the prefix (runs and their shard indexes are spread over the slots).
      const perMaster = await Promise.all(client.nodes('master').map((node) => node.keys(`${prefix}:*`)));
      expect(perMaster).toHaveLength(3);
      for (const keys of perMaster) expect(keys.length).toBeGreaterThan(0);
      const standalone = new Redis(REDIS_URL);
      try {
        expect(await standalone.keys(`${prefix}*`)).toEqual([]);
      } finally {
        standalone.disconnect();
      }
    } finally {
      await backend.destroyAllData();
      await closeTestBackend(backend);
    }
  });
});
