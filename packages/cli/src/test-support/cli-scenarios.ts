import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floxide, spawnFloxide, type RunningBinary } from './floxide-binary.js';

const W = 'src/test-support/workflows.ts';

/** A backend the scenarios run against: environment for the binary, and how to delete what the tests stored. */
export interface CliTarget {
  readonly name: 'redis' | 'postgres';
  readonly env: Record<string, string>;
  readonly cleanup: () => Promise<void>;
}

/**
 * The CLI scenarios every backend must pass, driving the real binary as child processes: a worker process,
 * start + watch, cancel, pause/resume, errors + retry-failed, runs and workers listings, unknown run ids,
 * graceful worker shutdown.
 */
export function describeCliScenarios(target: CliTarget): void {
  describe(`floxide binary against ${target.name}`, () => {
    let worker: RunningBinary;
    const run = (...args: string[]) => floxide(args, target.env);
    /** Runs a command that must not print errors; a failure message names the command and shows stderr. */
    const ok = async (...args: string[]) => {
      const result = await run(...args);
      expect(result.stderr, `floxide ${args.join(' ')}`).toBe('');
      return result;
    };

    beforeAll(async () => {
      worker = spawnFloxide(
        [
          'worker',
          '--workflows',
          W,
          '--concurrency',
          '2',
          '--lease-ms',
          '2000',
          '--heartbeat-ms',
          '300',
          '--id',
          `cli-test-${target.name}`,
        ],
        target.env,
      );
      await worker.waitFor('started');
    }, 60_000);

    afterAll(async () => {
      await worker?.stop('SIGKILL');
      await target.cleanup();
    }, 60_000);

    it('starts a run and watches it complete', async () => {
      const started = await ok('start', `${W}#slowCount`, '--input', '4');
      expect(started.code).toBe(0);
      const runId = started.stdout.trim();
      expect(runId).toMatch(/^[0-9a-f-]{36}$/);

      // Not a terminal: plain progress lines, then the outcome.
      const watched = await ok('watch', runId);
      expect(watched.code).toBe(0);
      expect(watched.stdout).toMatch(/^\d+\/\d+ items done, \d+ retries, 0 failed, [\d.]+m?s$/m);
      expect(watched.stdout).toContain('6/6 items done');
      expect(watched.stdout.trimEnd().split('\n').at(-1)).toBe(`run ${runId} completed: output 6`);
      const events = await ok('watch', runId, '--events');
      expect(events.stdout).toContain('step.committed tick #1');
      expect(events.stdout).not.toContain('items done');

      const status = await ok('--json', 'status', runId);
      expect(JSON.parse(status.stdout)).toMatchObject({
        run: { runId, status: 'completed', output: 6 },
        metrics: { completed: 6 },
      });
    });

    it('cancels a running run', async () => {
      const runId = (await ok('start', `${W}#slowCount`, '--input', '200')).stdout.trim();
      const status = async () =>
        (JSON.parse((await ok('--json', 'status', runId)).stdout) as { run: { status: string } }).run.status;
      for (let i = 0; i < 40 && (await status()) !== 'running'; i++)
        await new Promise((r) => setTimeout(r, 100));

      const cancelled = await ok('cancel', runId);
      expect(cancelled).toMatchObject({ code: 0, stdout: `run ${runId} cancelled (status: cancelled)\n` });
      expect(await status()).toBe('cancelled');

      const watched = await run('watch', runId);
      expect(watched.code).toBe(1);
      expect(watched.stdout).toContain(`run ${runId} cancelled`);
      const again = await run('pause', runId);
      expect(again.code).toBe(1);
      expect(again.stderr).toBe(`floxide: cannot pause run ${runId}: it is cancelled [RUN_STATE]\n`);
      const twice = await ok('cancel', runId);
      expect(twice).toMatchObject({
        code: 0,
        stdout: `run ${runId} is already cancelled: nothing to cancel\n`,
      });
    });

    it('pauses and resumes a run', async () => {
      // 80 steps of 150 ms on 2 slots (6 s): still running when the pause arrives, even on a loaded machine.
      const runId = (await ok('start', `${W}#slowCount`, '--input', '80')).stdout.trim();
      expect((await ok('pause', runId)).stdout).toBe(`run ${runId} paused (status: paused)\n`);
      const twice = await ok('pause', runId);
      expect(twice).toMatchObject({ code: 0, stdout: `run ${runId} is already paused: nothing to pause\n` });
      expect((await ok('resume', runId)).stdout).toBe(`run ${runId} resumed (status: running)\n`);
      const watched = await ok('watch', runId);
      expect(watched.stdout.trimEnd().split('\n').at(-1)).toBe(`run ${runId} completed: output 3160`);
      const refused = await run('retry-failed', runId);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        new RegExp(`^floxide: cannot retry-failed run ${runId}: .* \\[RUN_STATE\\]\n$`),
      );
    });

    it('waits for a failing run, then lists its errors and retries it', async () => {
      const failed = await run(
        '--json',
        'start',
        `${W}#alwaysFails`,
        '--input',
        '"x"',
        '--wait',
        '--timeout-ms',
        '20000',
      );
      expect(failed.stderr).toBe('');
      expect(failed.code).toBe(1);
      const { runId, status } = JSON.parse(failed.stdout) as { runId: string; status: string };
      expect(status).toBe('failed');

      const errors = JSON.parse((await ok('--json', 'errors', runId)).stdout) as {
        node: string;
        attempt: number;
      }[];
      expect(errors.map((e) => [e.node, e.attempt])).toEqual([
        ['broken', 1],
        ['broken', 2],
      ]);
      const table = await ok('errors', runId);
      expect(table.stdout).toContain('cannot handle x');

      const retried = await ok('retry-failed', runId);
      expect(retried.stdout).toBe(`run ${runId} restarted (status: running)\n`);
    });

    it('lists runs and workers', async () => {
      const runs = JSON.parse((await ok('--json', 'runs', '--limit', '2')).stdout) as {
        runs: unknown[];
        nextCursor?: string;
      };
      expect(runs.runs).toHaveLength(2);
      expect(runs.nextCursor).toBeDefined();
      const byWorkflow = JSON.parse((await ok('--json', 'runs', '--workflow', 'always-fails')).stdout) as {
        runs: { workflow: string }[];
      };
      expect(byWorkflow.runs.map((r) => r.workflow)).toEqual(['always-fails']);

      // --id-prefix searches run ids (listed by id), --since keeps runs created since then.
      const tag = `cli-${target.name}-${Date.now()}`;
      for (const suffix of ['b', 'a']) {
        await ok('start', `${W}#doubler`, '--input', '1', '--run-id', `${tag}-${suffix}`);
      }
      const byPrefix = JSON.parse((await ok('--json', 'runs', '--id-prefix', tag)).stdout) as {
        runs: { runId: string }[];
      };
      expect(byPrefix.runs.map((r) => r.runId)).toEqual([`${tag}-a`, `${tag}-b`]);
      const recent = JSON.parse(
        (await ok('--json', 'runs', '--id-prefix', tag, '--since', '10m')).stdout,
      ) as {
        runs: { runId: string }[];
      };
      expect(recent.runs).toHaveLength(2);
      const future = JSON.parse(
        (await ok('--json', 'runs', '--id-prefix', tag, '--since', '2999-01-01T00:00:00Z')).stdout,
      ) as { runs: unknown[] };
      expect(future.runs).toEqual([]);
      expect((await ok('runs', '--id-prefix', tag)).stdout).toContain(`${tag}-a`);

      const workers = JSON.parse((await ok('--json', 'workers')).stdout) as {
        worker: { workerId: string };
        status: string;
      }[];
      expect(workers).toContainEqual(
        expect.objectContaining({
          status: 'alive',
          worker: expect.objectContaining({ workerId: `cli-test-${target.name}` }),
        }),
      );
      expect((await ok('workers')).stdout).toMatch(new RegExp(`cli-test-${target.name} +│ alive`));
    });

    it('serves the dashboard over the backend and refuses a state change without the token', async () => {
      const dashboard = spawnFloxide(
        ['dashboard', '--workflows', W, '--port', '0', '--token', 'cli-test-token'],
        target.env,
      );
      try {
        await dashboard.waitFor('dashboard at ');
        const url = /dashboard at (\S+)/.exec(dashboard.stdout())?.[1] as string;
        const auth = { authorization: 'Bearer cli-test-token' };
        const listed = (await (await fetch(`${url}api/runs?limit=1`, { headers: auth })).json()) as {
          runs: unknown[];
        };
        expect(listed.runs).toHaveLength(1);
        const refused = await fetch(`${url}api/runs/no-such-run/pause`, { method: 'POST' });
        expect(refused.status).toBe(401);
      } finally {
        expect(await dashboard.stop('SIGTERM')).toBe(0);
      }
      expect(dashboard.stdout()).toContain('dashboard stopped');
    });

    it('reports an unknown run id in one line, without a stack trace', async () => {
      const result = await run('status', 'no-such-run');
      expect(result).toMatchObject({
        code: 1,
        stdout: '',
        stderr:
          "floxide: Run no-such-run not found: it never existed, or it finished and was deleted by the backend's retention policy [RUN_NOT_FOUND]\n",
      });
    });

    it('lists a waiting run, signals it once by id, and refuses a signal to a finished run', async () => {
      const runId = (await ok('start', `${W}#approval`)).stdout.trim();
      const waiting = async () => {
        const page = JSON.parse(
          (await ok('--json', 'runs', '--status', 'waiting', '--limit', '100')).stdout,
        ) as {
          runs: { runId: string; waitingFor?: string[] }[];
        };
        return page.runs.find((r) => r.runId === runId);
      };
      await expect
        .poll(waiting, { timeout: 20_000, interval: 200 })
        .toMatchObject({ waitingFor: ['approval'] });
      expect((await ok('runs', '--status', 'waiting', '--limit', '100')).stdout).toContain(
        'waiting for approval',
      );
      expect((await ok('status', runId)).stdout).toMatch(/waiting for: +signal 'approval'/);
      const sent = await ok(
        'signal',
        runId,
        'approval',
        '--input',
        '{"approved":true}',
        '--signal-id',
        'mail-1',
      );
      expect(sent.stdout).toBe(
        `signal 'approval' to run ${runId} delivered: the waiting step runs again with it\n`,
      );
      const again = await ok(
        '--json',
        'signal',
        runId,
        'approval',
        '--input',
        '{"approved":false}',
        '--signal-id',
        'mail-1',
      );
      expect(JSON.parse(again.stdout)).toEqual({ runId, signal: 'approval', status: 'duplicate' });
      const watched = await ok('watch', runId);
      expect(watched.stdout.trimEnd().split('\n').at(-1)).toBe(`run ${runId} completed: output "approved"`);
      const refused = await run('signal', runId, 'approval', '--input', '{"approved":true}');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        `floxide: Cannot signal 'approval' to run ${runId}: it is completed [RUN_STATE]\n`,
      );
    });

    it('stops a worker gracefully on SIGTERM', async () => {
      const extra = spawnFloxide(['worker', '--workflows', W, '--grace-ms', '2000'], target.env);
      await extra.waitFor('started');
      expect(await extra.stop('SIGTERM')).toBe(0);
      expect(extra.stdout()).toMatch(/stopping \(grace 2000 ms\)\n.*stopped: \d+ steps processed/);
      const id = /worker (\S+) started/.exec(extra.stdout())?.[1] as string;
      const workers = JSON.parse((await ok('--json', 'workers')).stdout) as {
        worker: { workerId: string };
        status: string;
      }[];
      expect(workers.find((w) => w.worker.workerId === id)?.status).toBe('stopped');
      expect((await ok('workers')).stdout).toMatch(new RegExp(`${id} +│ stopped`));
    });

    it('stores, lists and removes a schedule; a worker with --schedules starts one run per tick', async () => {
      const id = `cli-${target.name}-every-second`;
      const bad = await run('schedule', 'add', `${W}#doubler`, '--id', id, '--cron', '99 * * * *');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("invalid cron expression '99 * * * *'");
      const added = await ok(
        'schedule',
        'add',
        `${W}#doubler`,
        '--id',
        id,
        '--cron',
        '* * * * * *',
        '--input',
        '21',
      );
      expect(added.stdout).toBe(`schedule ${id} stored: doubler@1 at '* * * * * *'\n`);
      const listed = JSON.parse((await ok('--json', 'schedule', 'list')).stdout) as {
        id: string;
        missed: string;
      }[];
      expect(listed.find((s) => s.id === id)).toMatchObject({ id, missed: 'skip', input: 21 });
      const firing = spawnFloxide(
        ['worker', '--workflows', W, '--schedules', '--id', `${id}-worker`],
        target.env,
      );
      try {
        await firing.waitFor('started');
        let runs: { runId: string; status: string; output?: unknown }[] = [];
        for (let i = 0; i < 100; i++) {
          runs = (
            JSON.parse((await ok('--json', 'runs', '--workflow', 'doubler', '--limit', '100')).stdout) as {
              runs: typeof runs;
            }
          ).runs.filter((r) => r.runId.startsWith(`schedule:${id}:`));
          if (runs.some((r) => r.status === 'completed')) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        expect(runs.find((r) => r.status === 'completed')?.output).toBe(42);
        expect(new Set(runs.map((r) => r.runId)).size).toBe(runs.length);
      } finally {
        await firing.stop('SIGTERM');
      }
      expect((await ok('schedule', 'remove', id)).stdout).toBe(`schedule ${id} removed\n`);
      const again = await run('schedule', 'remove', id);
      expect(again).toMatchObject({ code: 1, stdout: `no schedule ${id}\n` });
    });
  });
}
