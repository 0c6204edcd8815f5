import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServerProcess } from '../test-support/redis-server-process.js';
import { LuaScript } from './lua-script.js';

// SCRIPT FLUSH is server-wide: these tests run on a private redis-server, never the shared one.
const ECHO = new LuaScript("return { KEYS[1], ARGV[1], redis.call('INCR', KEYS[1]) }");
const FAIL = new LuaScript("if ARGV[1] == 'bad' then return redis.error_reply('BAD') end return ARGV[1]");

/** EVAL and EVALSHA calls the server counted (`INFO commandstats`). */
async function scriptCalls(client: Redis): Promise<{ eval: number; evalsha: number; load: number }> {
  const info = await client.info('commandstats');
  const calls = (name: string): number =>
    Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return { eval: calls('eval'), evalsha: calls('evalsha'), load: calls('script\\|load') };
}

describe('LuaScript batches (private redis-server)', () => {
  let server: RedisServerProcess;
  let client: Redis;
  beforeAll(async () => {
    server = await RedisServerProcess.start();
    client = new Redis(server.url);
  });
  afterAll(async () => {
    await client.quit();
    await server.stop();
  });

  const calls = (n: number) => Array.from({ length: n }, (_, i) => ({ keys: [`k${i}`], args: [`a${i}`] }));

  it('loads the script once per client: a batch never falls back to one full EVAL per call', async () => {
    await client.script('FLUSH');
    await client.config('RESETSTAT');
    const first = await ECHO.runMany(client, calls(50));
    expect(first[7]).toEqual(['k7', 'a7', 1]);
    expect(await ECHO.runMany(client, calls(50))).toHaveLength(50);
    const stats = await scriptCalls(client);
    expect(stats).toEqual({ eval: 0, evalsha: 100, load: 1 });
  });

  it('a server that lost its scripts gets them once more, and the failed calls are sent again', async () => {
    await ECHO.runMany(client, calls(2));
    await client.script('FLUSH');
    await client.config('RESETSTAT');
    const out = await ECHO.runMany(client, calls(20));
    expect(out[19]).toEqual(['k19', 'a19', 3]);
    const stats = await scriptCalls(client);
    expect(stats.eval).toBe(0);
    expect(stats.load).toBe(1);
  });

  it('runSettled keeps each call its own result, and runMany throws the first error', async () => {
    await client.script('FLUSH');
    const batch = [
      { keys: ['x'], args: ['ok'] },
      { keys: ['x'], args: ['bad'] },
      { keys: ['x'], args: ['ok2'] },
    ];
    const settled = await FAIL.runSettled(client, batch);
    expect(settled[0]).toEqual({ value: 'ok' });
    expect(settled[1]?.error?.message).toContain('BAD');
    expect(settled[2]).toEqual({ value: 'ok2' });
    await expect(FAIL.runMany(client, batch)).rejects.toThrow('BAD');
  });
});
