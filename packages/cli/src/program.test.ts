import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-io.js';
import { runCli } from './program.js';

const W = 'src/test-support/workflows.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    signal: new AbortController().signal,
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

// Every test runs in-process on the memory backend (vitest's cwd is the app directory).
describe('floxide CLI (in-process, memory backend)', () => {
  it('starts a run on the embedded worker and prints id, status and output', async () => {
    const { code, out, err } = await cli('start', `${W}#doubler`, '--input', '21');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^[\w-]+\nstatus: completed\noutput: 42\n$/);
  });

  it('prints JSON with --json and uses the given run id', async () => {
    const { code, out } = await cli('--json', 'start', `${W}#slowCount`, '--input', '3', '--run-id', 'r-1');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ runId: 'r-1', status: 'completed', output: 3 });
  });

  it('exits 1 when the run fails and reports its error', async () => {
    const { code, out } = await cli('start', `${W}#alwaysFails`, '--input', '"x"');
    expect(code).toBe(1);
    expect(out).toContain('status: failed');
    expect(out).toContain('cannot handle x [NODE_FAILED]');
  });

  it('rejects invalid input before starting anything', async () => {
    const { code, out, err } = await cli('start', `${W}#doubler`, '--input', '"text"');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/^floxide: invalid input for workflow 'doubler': .* \[VALIDATION\]\n$/);
  });

  it('prints the graph as Mermaid or DOT', async () => {
    expect((await cli('graph', `${W}#slowCount`)).out).toContain('join of fan');
    const dot = await cli('graph', `${W}#slowCount`, '--format', 'dot');
    expect(dot.out).toMatch(/^digraph "slow-count"/);
  });

  it('reports an unknown run id in one line with exit code 1', async () => {
    const { code, err } = await cli('status', 'no-such-run');
    expect(code).toBe(1);
    expect(err).toBe('floxide: Run no-such-run not found [RUN_NOT_FOUND]\n');
  });

  it('uses exit code 2 and one message for bad arguments', async () => {
    const bad = await cli('start', `${W}#doubler`, '--input', '{oops');
    expect(bad).toMatchObject({ code: 2, err: 'floxide: --input is not valid JSON\n' });
    const unknown = await cli('frobnicate');
    expect(unknown).toMatchObject({ code: 2, err: "error: unknown command 'frobnicate'\n" });
    const choice = await cli('--backend', 'mongo', 'runs');
    expect(choice.code).toBe(2);
    expect(choice.err).toContain('Allowed choices are memory, redis, postgres');
    const limit = await cli('runs', '--limit', '0');
    expect(limit.err).toContain('expected a positive integer');
  });

  it('refuses to run a worker on the process-local memory backend', async () => {
    const { code, err } = await cli('worker', '--workflows', W);
    expect(code).toBe(2);
    expect(err).toContain('needs a shared backend');
  });

  it('lists no runs and no workers on a fresh memory backend', async () => {
    expect((await cli('runs')).out).toBe('no runs\n');
    expect(JSON.parse((await cli('--json', 'workers')).out)).toEqual([]);
  });
});

describe('floxide CLI help', () => {
  it('shows help with exit code 0', async () => {
    const { code, out } = await cli('--help');
    expect(code).toBe(0);
    for (const command of [
      'start',
      'runs',
      'status',
      'watch',
      'cancel',
      'pause',
      'resume',
      'retry-failed',
      'errors',
      'workers',
      'worker',
      'graph',
    ]) {
      expect(out).toContain(`  ${command} `);
    }
  });
});
