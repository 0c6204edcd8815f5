import { describe, expect, it } from 'vitest';
import { runDemoCli, type DemoIo } from './demo-cli.js';

function io(): DemoIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t), isTTY: false },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    out: () => out,
    err: () => err,
  };
}

describe('demo command line', () => {
  it('runs the pipeline in memory, prints progress lines and the summary, exits 0', async () => {
    const t = io();
    const code = await runDemoCli(['--docs', '3', '--work-ms', '1', '--workers', '2'], t);
    expect(t.err()).toBe('');
    expect(code).toBe(0);
    expect(t.out()).toMatch(/runs 3\/3/);
    expect(t.out()).toContain('3/3 runs completed, 3 verified');
    expect(t.out()).toContain('all runs verified');
  });

  it('--dashboard serves the dashboard over the demo runs until told to stop', async () => {
    const t = io();
    let seen: { runs: { status: string }[] } | undefined;
    const code = await runDemoCli(['--docs', '2', '--work-ms', '1', '--dashboard', '--dashboard-port', '0'], {
      ...t,
      holdOpen: async () => {
        const url = /Dashboard: (\S+)/.exec(t.out())?.[1];
        seen = (await (await fetch(new URL('/api/runs', url))).json()) as { runs: { status: string }[] };
      },
    });
    expect(code).toBe(0);
    expect(t.out()).toContain('The dashboard stays up at http://127.0.0.1:');
    expect(seen?.runs.map((r) => r.status)).toEqual(['completed', 'completed']);
  });

  it('rejects bad arguments with exit code 2 and one message', async () => {
    const t = io();
    expect(await runDemoCli(['--flake-rate', '3'], t)).toBe(2);
    expect(t.err()).toContain("option '--flake-rate <r>' argument '3' is invalid");
    const u = io();
    expect(await runDemoCli(['--backend', 'mongo'], u)).toBe(2);
    expect(u.err()).toContain('Allowed choices are memory, redis, postgres');
  });

  it('refuses --kill-every on the in-process memory backend', async () => {
    const t = io();
    expect(await runDemoCli(['--kill-every', '500'], t)).toBe(1);
    expect(t.err()).toBe(
      'demo: --kill-every needs worker processes: use --backend redis or --backend postgres\n',
    );
  });
});
