import { describe, expect, it } from 'vitest';
import { floxide } from './test-support/floxide-binary.js';

describe('floxide binary with an unreachable backend', () => {
  it('prints one line without the password and exits 1 (Redis)', async () => {
    const result = await floxide(
      [
        '--backend',
        'redis',
        '--redis-url',
        'redis://admin:hunter2pw@127.0.0.1:1',
        '--connect-timeout',
        '3000',
        'runs',
      ],
      {},
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^floxide: .*\[BACKEND\]\n$/);
    expect(result.stderr + result.stdout).not.toContain('hunter2pw');
  });

  it('prints one line without the password and exits 1 (PostgreSQL)', async () => {
    const result = await floxide(
      ['--backend', 'postgres', '--database-url', 'postgres://admin:hunter2pw@127.0.0.1:1/db', 'status', 'x'],
      {},
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^floxide: .*\[BACKEND\]\n$/);
    expect(result.stderr + result.stdout).not.toContain('hunter2pw');
  });
});
