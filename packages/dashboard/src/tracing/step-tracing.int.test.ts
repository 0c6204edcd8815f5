import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DistributedOrchestrator } from '@floxide/distributed';
import { RedisBackend } from '@floxide/redis';
import { spreadWorkflow } from '../test-support/workflows.js';
import { runSpanContext } from './run-trace-context.js';

interface SpanRecord {
  readonly name: string;
  readonly traceId: string;
  readonly parentSpanId?: string;
  readonly attributes: Record<string, unknown>;
  readonly status: number;
  readonly pid: number;
}

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Starts one traced worker process and resolves once it has sent its first heartbeat. */
function startWorker(
  prefix: string,
  started: { child: ChildProcessWithoutNullStreams }[],
): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@floxide/source', '--import', 'tsx', 'src/test-support/traced-worker.ts'],
    { cwd: packageRoot, env: { ...process.env, REDIS_URL, FLOXIDE_PREFIX: prefix } },
  );
  // Recorded at once, so the test's cleanup kills it even when the other worker fails to start.
  started.push({ child });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`traced worker exited early with ${code}`)));
    const check = setInterval(() => {
      if (out.includes('ready\n')) {
        clearInterval(check);
        child.removeAllListeners('exit');
        resolve({ child, output: () => out });
      }
    }, 20);
  });
}

/** Ends a worker's stdin and collects the spans it prints before exiting. */
async function stopWorker(w: {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
}): Promise<SpanRecord[]> {
  const exited = new Promise<void>((resolve) => w.child.once('exit', () => resolve()));
  w.child.stdin.end();
  await exited;
  const line = w
    .output()
    .split('\n')
    .find((l) => l.startsWith('['));
  if (line === undefined) throw new Error('the traced worker printed no spans');
  return JSON.parse(line) as SpanRecord[];
}

describe('step tracing across two worker processes (Redis)', () => {
  const prefix = `fxt-trace-${randomBytes(4).toString('hex')}`;
  const backend = new RedisBackend({ connection: REDIS_URL, prefix });
  const workers: { child: ChildProcessWithoutNullStreams }[] = [];

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await backend.destroyAllData();
    await backend.close();
  });

  it('puts every step of a run into one trace, whichever process ran it, with the step attributes', async () => {
    // Both processes start at once: each compiles the TypeScript sources on its own (seconds on a busy CI).
    const [a, b] = await Promise.all([startWorker(prefix, workers), startWorker(prefix, workers)]);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [spreadWorkflow] });
    const runId = await orchestrator.start(spreadWorkflow, 12);
    const run = await orchestrator.wait(runId, { timeoutMs: 30_000 });
    expect(run.status).toBe('completed');
    const spans = [...(await stopWorker(a)), ...(await stopWorker(b))].filter(
      (s) => s.attributes['floxide.run_id'] === runId,
    );

    const root = runSpanContext(runId);
    // spread, 12 × work and the join step sum committed once each.
    const committed = spans.filter((s) => s.attributes['floxide.outcome'] === 'committed');
    const outcomes = spans.map(
      (s) => `${String(s.attributes['floxide.node'])}:${String(s.attributes['floxide.outcome'])}`,
    );
    expect(committed.map((s) => s.attributes['floxide.node']).sort(), outcomes.join(' ')).toEqual(
      ['spread', ...Array<string>(12).fill('work'), 'sum'].sort(),
    );
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([root.traceId]));
    expect(new Set(spans.map((s) => s.parentSpanId))).toEqual(new Set([root.spanId]));
    // Both processes ran part of the run, and their spans still form the one trace.
    expect(new Set(committed.map((s) => s.pid)).size).toBe(2);
    const work = committed.find((s) => s.attributes['floxide.node'] === 'work');
    expect(work?.name).toBe('floxide step spread.work');
    expect(work?.attributes).toMatchObject({
      'floxide.workflow': 'spread',
      'floxide.workflow.version': 1,
      'floxide.run_id': runId,
      'floxide.attempt': 1,
    });
    expect(work?.attributes['floxide.item_id']).toEqual(expect.any(String));
    expect(work?.attributes['floxide.step.duration_ms']).toBeGreaterThanOrEqual(100);
  }, 180_000);
});
