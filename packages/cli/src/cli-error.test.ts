import { BackendError, RunNotFoundError } from '@floxide/core';
import { describe, expect, it } from 'vitest';
import { CliUsageError, exitCodeFor, formatCliError, redactSecrets } from './cli-error.js';

describe('CLI errors', () => {
  it('masks credentials in URLs, password pairs and literal secrets', () => {
    expect(redactSecrets('cannot reach redis://user:hunter2@db:6379/0')).toBe(
      'cannot reach redis://***@db:6379/0',
    );
    expect(redactSecrets('host=db password=hunter2 user=x')).toBe('host=db password=*** user=x');
    expect(redactSecrets('failed for postgres://db/test', ['postgres://db/test'])).toBe('failed for ***');
  });

  it('prints one line with the stable code and no stack unless verbose', () => {
    const error = new RunNotFoundError('Run r1 not found');
    expect(formatCliError(error, { verbose: false })).toBe('floxide: Run r1 not found [RUN_NOT_FOUND]\n');
    const verbose = formatCliError(error, { verbose: true });
    expect(verbose.split('\n').length).toBeGreaterThan(3);
    expect(verbose).toContain('at ');
  });

  it('folds multi-line messages into one line and masks secrets in causes too', () => {
    const cause = new Error('connect to redis://u:topsecret@h failed');
    const error = new BackendError('Redis failed:\n  unreachable', { cause });
    const text = formatCliError(error, { verbose: true, secrets: [] });
    expect(text.split('\n')[0]).toBe('floxide: Redis failed: unreachable [BACKEND]');
    expect(text).not.toContain('topsecret');
  });

  it('uses exit code 2 for usage errors and 1 otherwise', () => {
    expect(exitCodeFor(new CliUsageError('bad'))).toBe(2);
    expect(exitCodeFor(new Error('x'))).toBe(1);
  });
});
