// On a Redis Cluster (FLOXIDE_REDIS_CLUSTER): a script sent with WAIT (durability) to a master that no
// longer serves its slot is sent again to the new one. A failover moves slots the same way; here the slot
// is moved by hand (CLUSTER SETSLOT … NODE, an empty slot needs no migration) so the client's map is stale.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { LuaScript } from './scripts/lua-script.js';
import { keySlot } from './slot.js';
import { CLUSTER_NODES, clusterClient, testPrefix } from './test-support/redis-test-backend.js';

const SET = new LuaScript("redis.call('SET', KEYS[1], ARGV[1]) return 'done'");

/** Hands `slot` to the master `to` on every master (the owner's view changes last, as in a failover). */
async function moveSlot(masters: Redis[], slot: number, to: Redis): Promise<void> {
  const id = String(await to.call('CLUSTER', 'MYID'));
  for (const m of [to, ...masters.filter((x) => x !== to)])
    await m.call('CLUSTER', 'SETSLOT', slot, 'NODE', id);
}

describe.skipIf(!CLUSTER_NODES)('cluster redirects', () => {
  it('a script with WAIT whose master lost the slot is sent again to the new master', async () => {
    const nodes = (CLUSTER_NODES ?? '').split(',');
    const masters = nodes.map((n) => new Redis(Number(n.split(':')[1]), { lazyConnect: false }));
    const client = clusterClient(CLUSTER_NODES ?? '');
    try {
      // A slot no other test wrote to (the cluster is shared with the other suites): only an empty one moves
      // without MIGRATE.
      let key = '';
      let owner: number | undefined;
      for (let i = 0; owner === undefined; i += 1) {
        key = `${testPrefix('redirect')}:{${testPrefix('slot')}}`;
        await client.set(key, 'before');
        const slot = keySlot(key);
        const ranges = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        const port = ranges.find(([a, b]) => a <= slot && slot <= b)?.[2][1];
        const node = masters.find((m) => m.options.port === port) as Redis;
        if (Number(await node.call('CLUSTER', 'COUNTKEYSINSLOT', slot)) === 1) owner = port;
        else await client.del(key);
        if (i > 50) throw new Error('no empty slot found');
      }
      const slot = keySlot(key);
      await client.del(key); // an empty slot moves without MIGRATE
      const from = masters.find((m) => m.options.port === owner) as Redis;
      const to = masters.find((m) => m !== from) as Redis;
      await moveSlot(masters, slot, to);
      // The client still sends the slot to its old master, which answers MOVED to the script and runs WAIT.
      expect(await SET.run(client, [key], ['after'], { replicas: 0, timeoutMs: 100 })).toBe('done');
      expect(await to.get(key)).toBe('after');
      await client.del(key);
      await moveSlot(masters, slot, from);
    } finally {
      client.disconnect();
      for (const m of masters) m.disconnect();
    }
  });
});
