import { afterEach, describe, expect, it } from 'vitest';
import { DistributedOrchestrator, DistributedWorker, MemoryBackend } from '@floxide/distributed';
import { failingWorkflow, quickWorkflow } from '../test-support/workflows.js';
import { serveMetrics, type MetricsServer } from './serve-metrics.js';
import { WorkerMetrics } from './worker-metrics.js';

/** The value of one sample line of a Prometheus text exposition, or undefined. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('worker metrics', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(
    token?: string,
  ): Promise<{ endpoint: MetricsServer; orchestrator: DistributedOrchestrator; backend: MemoryBackend }> {
    const backend = new MemoryBackend();
    const metrics = new WorkerMetrics({ deployment: backend });
    const workflows = [quickWorkflow, failingWorkflow];
    const worker = new DistributedWorker({ backend: metrics.instrument(backend), workflows, idleWaitMs: 50 });
    await worker.start();
    const endpoint = await serveMetrics({
      registry: metrics.registry,
      port: 0,
      ...(token === undefined ? {} : { token }),
    });
    cleanup.push(
      () => backend.close(),
      () => worker.close(),
      () => endpoint.close(),
    );
    return { endpoint, orchestrator: new DistributedOrchestrator({ backend, workflows }), backend };
  }

  it('counts committed, retried and failed steps per workflow and node, and step durations, at /metrics', async () => {
    const { endpoint, orchestrator } = await setup();
    const quick = await Promise.all([1, 2, 3].map((n) => orchestrator.start('quick', n)));
    const failing = await orchestrator.start('failing', 1);
    for (const id of [...quick, failing]) await orchestrator.wait(id, { timeoutMs: 10_000 });
    const response = await fetch(endpoint.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(sample(text, 'floxide_steps_total{workflow="quick",node="double",outcome="committed"}')).toBe(3);
    expect(sample(text, 'floxide_steps_total{workflow="failing",node="load",outcome="committed"}')).toBe(1);
    expect(sample(text, 'floxide_steps_total{workflow="failing",node="explode",outcome="retried"}')).toBe(1);
    expect(sample(text, 'floxide_steps_total{workflow="failing",node="explode",outcome="failed"}')).toBe(1);
    expect(
      sample(text, 'floxide_step_duration_seconds_count{workflow="quick",node="double",outcome="committed"}'),
    ).toBe(3);
    expect(sample(text, 'floxide_items_leased_total{workflow="failing",node="explode"}')).toBe(2);
    expect(sample(text, 'floxide_lease_wait_seconds_count')).toBeGreaterThanOrEqual(1);
    // The deployment gauges read the backend at scrape time.
    expect(sample(text, 'floxide_runs{status="completed"}')).toBe(3);
    expect(sample(text, 'floxide_runs{status="failed"}')).toBe(1);
    expect(sample(text, 'floxide_workers{liveness="alive"}')).toBe(1);
    expect(sample(text, 'floxide_queue_items{state="waiting"}')).toBe(0);
  });

  it('counts a commit that changed nothing apart from steps', async () => {
    const backend = new MemoryBackend();
    const metrics = new WorkerMetrics();
    const instrumented = metrics.instrument(backend);
    const orchestrator = new DistributedOrchestrator({ backend, workflows: [quickWorkflow] });
    const runId = await orchestrator.start('quick', 2);
    const [lease] = await instrumented.queue.lease({ workerId: 'w', leaseMs: 5_000 });
    if (lease === undefined) throw new Error('nothing leased');
    const outcome = {
      kind: 'advance',
      transition: 'next',
      successors: [],
      joins: [],
      output: { value: 4 },
      contextOps: [],
      durationMs: 1,
    } as const;
    expect((await instrumented.commit({ lease, outcome, at: Date.now() })).status).toBe('committed');
    expect((await instrumented.commit({ lease, outcome, at: Date.now() })).status).toBe('duplicate');
    const text = (await metrics.scrape()).body;
    expect(sample(text, 'floxide_steps_total{workflow="quick",node="double",outcome="committed"}')).toBe(1);
    expect(sample(text, 'floxide_commits_unchanged_total{result="duplicate"}')).toBe(1);
    expect((await orchestrator.get(runId)).status).toBe('completed');
    await backend.close();
  });

  it('refuses scrapes without the token when one is set, and a public bind without one', async () => {
    const { endpoint } = await setup('scrape-secret');
    expect((await fetch(endpoint.url)).status).toBe(401);
    expect((await fetch(endpoint.url, { headers: { Authorization: 'Bearer scrape-secret' } })).status).toBe(
      200,
    );
    await expect(
      serveMetrics({ registry: new WorkerMetrics().registry, host: '0.0.0.0', port: 0 }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
