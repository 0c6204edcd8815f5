import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { driverOf, floxide } from './test-support/floxide-binary.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const prefix = `floxide-cli-readonly-${randomBytes(4).toString('hex')}`;

interface RedisClient {
  keys(pattern: string): Promise<string[]>;
  quit(): Promise<unknown>;
}

describe('read commands on Redis', () => {
  it('create no key at all', async () => {
    const env = { FLOXIDE_BACKEND: 'redis', REDIS_URL, FLOXIDE_PREFIX: prefix };
    for (const args of [
      ['runs'],
      ['status', 'r1'],
      ['workers'],
      ['errors', 'r1'],
      ['watch', 'r1'],
      ['pause', 'r1'],
    ]) {
      const result = await floxide(args, env);
      expect(result.stderr, args.join(' ')).not.toContain('cannot reach');
    }
    const { Redis } = driverOf<{ Redis: new (url: string) => RedisClient }>('@floxide/redis', 'ioredis');
    const client = new Redis(REDIS_URL);
    try {
      expect(await client.keys(`*${prefix}*`)).toEqual([]);
    } finally {
      await client.quit();
    }
  });
});
