import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  resolveBackendSettings,
  secretsOf,
} from './backend-settings.js';

describe('backend settings', () => {
  it('defaults to the memory backend and the documented URLs', () => {
    expect(resolveBackendSettings({}, {})).toEqual({
      kind: 'memory',
      configured: false,
      redisUrl: DEFAULT_REDIS_URL,
      databaseUrl: DEFAULT_DATABASE_URL,
      connectTimeoutMs: 5_000,
    });
  });

  it('takes options over environment over defaults', () => {
    const env = {
      FLOXIDE_BACKEND: 'redis',
      REDIS_URL: 'redis://env',
      FLOXIDE_PREFIX: 'envp',
      DATABASE_URL: 'postgres://env',
    };
    expect(resolveBackendSettings({}, env)).toMatchObject({
      kind: 'redis',
      configured: true,
      redisUrl: 'redis://env',
      prefix: 'envp',
    });
    const chosen = resolveBackendSettings(
      { backend: 'postgres', databaseUrl: 'postgres://opt', schema: 's1' },
      env,
    );
    expect(chosen).toMatchObject({ kind: 'postgres', databaseUrl: 'postgres://opt', schema: 's1' });
    expect(secretsOf(chosen)).toEqual(['redis://env', 'postgres://opt']);
  });

  it('rejects an unknown backend and a bad timeout', () => {
    expect(() => resolveBackendSettings({}, { FLOXIDE_BACKEND: 'mongo' })).toThrow('unknown backend "mongo"');
    expect(() => resolveBackendSettings({ connectTimeout: '-1' }, {})).toThrow('--connect-timeout');
  });
});
