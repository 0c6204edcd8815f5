import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './cli-io.js';
import { runCli } from './program.js';

const W = 'src/test-support/workflows.ts';

function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWith({}, ...argv);
}

async function cliWith(
  extra: Partial<CliIo>,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    signal: new AbortController().signal,
    ...extra,
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
    expect(err).toBe(
      "floxide: invalid input for workflow 'doubler' [VALIDATION]\n" +
        '  (input): Invalid input: expected number, received string\n',
    );
  });

  it('prints the graph as Mermaid or DOT', async () => {
    expect((await cli('graph', `${W}#slowCount`)).out).toContain('join of fan');
    const dot = await cli('graph', `${W}#slowCount`, '--format', 'dot');
    expect(dot.out).toMatch(/^digraph "slow-count"/);
  });

  it('reports an unknown run id in one line with exit code 1', async () => {
    const { code, err } = await cli('status', 'no-such-run');
    expect(code).toBe(1);
    expect(err).toBe(
      "floxide: Run no-such-run not found: it never existed, or it finished and was deleted by the backend's retention policy [RUN_NOT_FOUND]\n",
    );
  });

  it('uses exit code 2 and one message for bad arguments', async () => {
    const bad = await cli('start', `${W}#doubler`, '--input', '{oops');
    expect(bad).toMatchObject({
      code: 2,
      err: "floxide: --input is not valid JSON: Expected property name or '}' at line 1, column 2\n",
    });
    const unknown = await cli('frobnicate');
    expect(unknown).toMatchObject({ code: 2, err: "error: unknown command 'frobnicate'\n" });
    const choice = await cli('--backend', 'mongo', 'runs');
    expect(choice.code).toBe(2);
    expect(choice.err).toContain('Allowed choices are memory, redis, postgres');
    const limit = await cli('runs', '--limit', '0');
    expect(limit.err).toContain('expected a positive integer');
    const since = await cli('runs', '--since', 'yesterday');
    expect(since.code).toBe(2);
    expect(since.err).toContain("option '--since <when>' argument 'yesterday' is invalid");
  });

  it('prints its version', async () => {
    const { code, out } = await cli('--version');
    expect(code).toBe(0);
    expect(out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('reads the input from a file and from stdin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floxide-cli-input-'));
    try {
      writeFileSync(join(dir, 'input.json'), '{\n  "n": 1,\n  oops\n}');
      writeFileSync(join(dir, 'seven.json'), '7\n');
      const fromFile = await cli('--json', 'start', `${W}#doubler`, '--input-file', join(dir, 'seven.json'));
      expect(JSON.parse(fromFile.out)).toMatchObject({ status: 'completed', output: 14 });
      const broken = await cli('start', `${W}#doubler`, '--input-file', join(dir, 'input.json'));
      expect(broken).toMatchObject({
        code: 2,
        err: `floxide: --input-file ${join(dir, 'input.json')} is not valid JSON: Expected double-quoted property name at line 3, column 3\n`,
      });
      const missing = await cli('start', `${W}#doubler`, '--input-file', join(dir, 'nope.json'));
      expect(missing.err).toBe(`floxide: cannot read --input-file ${join(dir, 'nope.json')}: no such file\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const fromStdin = await cliWith(
      { readStdin: async () => '[1,' },
      'start',
      `${W}#doubler`,
      '--input',
      '-',
    );
    expect(fromStdin.err).toBe(
      'floxide: --input - (stdin) is not valid JSON: unexpected end of input at line 1, column 4\n',
    );
    const good = await cliWith(
      { readStdin: async () => '5' },
      '--json',
      'start',
      `${W}#doubler`,
      '--input',
      '-',
    );
    expect(JSON.parse(good.out)).toMatchObject({ output: 10 });
  });

  it('prints schema errors as path: message lines', async () => {
    const { code, err } = await cli('start', `${W}#crawl`, '--input', '{"urls":["a",42],"depth":"deep"}');
    expect(code).toBe(1);
    expect(err.split('\n')).toEqual([
      "floxide: invalid input for workflow 'crawl' [VALIDATION]",
      '  urls[1]: Invalid input: expected string, received number',
      '  depth: Invalid input: expected number, received string',
      '',
    ]);
  });

  it('says which backend it looked at when none is configured', async () => {
    const { out, err } = await cli('runs');
    expect(out).toBe('no runs\n');
    expect(err).toContain(
      'no backend configured (--backend or FLOXIDE_BACKEND): looked at the in-memory backend',
    );
    const chosen = await cli('--backend', 'memory', 'runs');
    expect(chosen.err).toBe('');
  });

  it('reports a malformed backend URL without echoing it', async () => {
    const pg = await cli('--backend', 'postgres', '--database-url', 'not a url:secret', 'runs');
    expect(pg).toMatchObject({
      code: 2,
      err: 'floxide: --database-url is malformed: expected a URL like postgres://host:5432/database\n',
    });
    const redis = await cli('--backend', 'redis', '--redis-url', 'http://u:secret@h', 'runs');
    expect(redis).toMatchObject({
      code: 2,
      err: 'floxide: --redis-url is malformed: expected redis:// or rediss://..., got http://...\n',
    });
  });

  it('refuses to run a worker on the process-local memory backend', async () => {
    const { code, err } = await cli('worker', '--workflows', W);
    expect(code).toBe(2);
    expect(err).toContain('needs a shared backend');
  });

  it('refuses to serve the dashboard over the process-local memory backend (serveDashboard does that)', async () => {
    const { code, err } = await cli('dashboard', '--port', '0');
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
      'migrate',
    ]) {
      expect(out).toContain(`  ${command} `);
    }
  });
});
