import { BackendError, RunNotFoundError } from '@floxide/core';
import { describe, expect, it } from 'vitest';
import { isConnectionError, redact, toBackendError } from './redis-errors.js';

describe('toBackendError', () => {
  it('marks connection failures retryable and says nothing about the address', () => {
    const error = toBackendError(new Error('connect ECONNREFUSED 10.0.0.5:6380'), 'commit');
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ code: 'BACKEND', retryable: true });
    expect(error.message).toBe('Redis commit failed: the Redis server is unreachable');
    expect(error.cause).toBeUndefined();
  });

  it('keeps other driver messages, not retryable, with URLs and secrets removed', () => {
    const error = toBackendError(new Error('WRONGPASS for redis://u:hunter2@db:6379 (hunter2)'), 'lease', [
      'hunter2',
    ]);
    expect(error).toMatchObject({ code: 'BACKEND', retryable: false });
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('redis://');
  });

  it('marks a Cluster failover reply (MOVED, ASK, TRYAGAIN, CLUSTERDOWN) retryable, without its address', () => {
    for (const reply of [
      'MOVED 181 10.0.0.5:6380',
      'ASK 181 10.0.0.5:6380',
      'TRYAGAIN Multiple keys request during rehashing of slot',
      'CLUSTERDOWN The cluster is down',
    ]) {
      const error = toBackendError(new Error(reply), 'commit');
      expect(error).toMatchObject({ code: 'BACKEND', retryable: true });
      expect(error.message).not.toContain('10.0.0.5');
    }
    expect(toBackendError(new Error('ERR MOVED is not a command'), 'commit')).toMatchObject({
      retryable: false,
    });
  });

  it('passes Floxide errors through unchanged', () => {
    const original = new RunNotFoundError('Run r not found');
    expect(toBackendError(original, 'control')).toBe(original);
  });
});

describe('isConnectionError / redact', () => {
  it('recognises ioredis connection failures only', () => {
    expect(isConnectionError(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe(
      true,
    );
    expect(isConnectionError(new Error('Connection is closed.'))).toBe(true);
    expect(isConnectionError(new Error('ERR syntax error'))).toBe(false);
    expect(isConnectionError('ECONNREFUSED')).toBe(false);
  });

  it('treats a server busy running a long script as transient', () => {
    const busy = new Error(
      'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    );
    expect(isConnectionError(busy)).toBe(true);
    expect(toBackendError(busy, 'runs.get')).toMatchObject({ code: 'BACKEND', retryable: true });
  });

  it('replaces rediss:// and redis:// URLs', () => {
    expect(redact('a rediss://x:y@h:1/2 b')).toBe('a <redis-url> b');
  });
});
