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
      transactionPooler: false,
    });
  });

  it('reads the pooler settings from options or environment, and keeps the LISTEN URL secret', () => {
    const env = {
      FLOXIDE_BACKEND: 'postgres',
      FLOXIDE_TRANSACTION_POOLER: '1',
      FLOXIDE_LISTEN_URL: 'postgres://app:pw@direct:5432/app',
    };
    const fromEnv = resolveBackendSettings({}, env);
    expect(fromEnv).toMatchObject({
      transactionPooler: true,
      listenUrl: 'postgres://app:pw@direct:5432/app',
    });
    expect(secretsOf(fromEnv)).toContain('postgres://app:pw@direct:5432/app');
    expect(resolveBackendSettings({ transactionPooler: false }, env).transactionPooler).toBe(false);
    expect(resolveBackendSettings({ listenUrl: 'postgres://opt' }, env).listenUrl).toBe('postgres://opt');
    expect(() => resolveBackendSettings({}, { FLOXIDE_TRANSACTION_POOLER: 'yes' })).toThrow(
      'FLOXIDE_TRANSACTION_POOLER must be 1 or 0',
    );
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
