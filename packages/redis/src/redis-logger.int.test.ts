import type { Logger } from '@floxide/core';
import { describe, expect, it } from 'vitest';
import { RedisBackend } from './redis-backend.js';

describe('RedisBackend logger', () => {
  it('reports a lost connection once, with its code and without the URL', async () => {
    const entries: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const record =
      (level: string) =>
      (message: string, fields?: Record<string, unknown>): void => {
        entries.push({ level, message, ...(fields === undefined ? {} : { fields }) });
      };
    const logger: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    };
    // Port 1 refuses connections: ioredis keeps retrying and emitting errors.
    const backend = new RedisBackend({
      url: 'redis://user:s3cret-pw@127.0.0.1:1',
      prefix: 'logger-test',
      logger,
    });
    try {
      await expect(backend.runs.get('r1')).rejects.toMatchObject({ code: 'BACKEND' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const warnings = entries.filter((e) => e.level === 'warn');
      expect(warnings).toEqual([
        { level: 'warn', message: 'redis connection lost; reconnecting', fields: { code: 'ECONNREFUSED' } },
      ]);
      expect(JSON.stringify(entries)).not.toContain('s3cret-pw');
    } finally {
      await backend.close();
    }
  });
});
