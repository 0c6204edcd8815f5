import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const appDir = fileURLToPath(new URL('..', import.meta.url));
const args = (...rest: string[]) => [
  '--conditions=@floxide/source',
  '--import',
  'tsx',
  'src/run.ts',
  ...rest,
];

describe('the example command (child process)', () => {
  it('runs an example by name and prints its result', async () => {
    const { stdout } = await run(process.execPath, args('hello'), { cwd: appDir });
    expect(stdout).toBe('21\n');
  });

  it('lists the examples and exits 2 for an unknown name', async () => {
    const failure = await run(process.execPath, args('no-such-example'), { cwd: appDir }).catch(
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('unknown example "no-such-example"');
    expect((failure as { stderr: string }).stderr).toContain('distributed-merge');
  });
});
