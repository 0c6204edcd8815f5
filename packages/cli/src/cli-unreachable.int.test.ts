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
    expect(result.stderr).toBe(
      'floxide: runs: cannot reach Redis at 127.0.0.1:1 (connection refused) [BACKEND]\n',
    );
    expect(result.stderr + result.stdout).not.toContain('hunter2pw');
  });

  it('prints one line without the password and exits 1 (PostgreSQL)', async () => {
    const result = await floxide(
      ['--backend', 'postgres', '--database-url', 'postgres://admin:hunter2pw@127.0.0.1:1/db', 'status', 'x'],
      {},
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toBe(
      'floxide: status: cannot reach PostgreSQL at 127.0.0.1:1 (connection refused) [BACKEND]\n',
    );
    expect(result.stderr + result.stdout).not.toContain('hunter2pw');
  });

  it('says a malformed --database-url is malformed, without echoing it', async () => {
    const result = await floxide(
      ['--backend', 'postgres', '--database-url', 'postgres://admin:pw@[bad', 'runs'],
      {},
    );
    expect(result).toMatchObject({
      code: 2,
      stderr: 'floxide: --database-url is malformed: expected a URL like postgres://host:5432/database\n',
    });
  });
});
