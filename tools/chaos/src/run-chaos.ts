import { performance } from 'node:perf_hooks';
import type { AnyWorkflow } from '@floxide/core';
import { DistributedOrchestrator, DistributedWorker, type Backend } from '@floxide/distributed';
import { node, workflow } from '@floxide/core';
import { badInputCases } from './bad-input-cases.js';
import { createBackend, type BackendName } from './backends.js';
import type { CaseResult, ChaosCase, ChaosSize } from './chaos-case.js';
import { corruptCases } from './corrupt-cases.js';
import { CORRUPT_HOOKS } from './corrupt-hooks.js';

/** Options of {@link runChaos}. */
export interface RunChaosOptions {
  readonly backends: readonly BackendName[];
  readonly size: ChaosSize;
  /** Where progress lines go (default: nowhere). */
  readonly print?: (line: string) => void;
}

/** The healthy workflow run beside every bad one: `a → b`, doubling twice. */
function healthyWorkflow(): AnyWorkflow {
  const a = node({ name: 'a', process: (n: number) => n * 2 });
  const b = node({ name: 'b', process: (n: number) => n * 2 });
  return workflow({ name: 'chaos-healthy', version: 1 }).start(a).edge(a, b).build();
}

const WORKERS = 2;
const CONCURRENCY = 4;
// Short leases and hand-back delays keep each case within seconds. An item of a workflow a worker does not
// know bounces between workers until one that knows it leases it (task queues will end the bouncing), so
// the bounce delay bounds how long the unknown-workflow case waits for its knowing worker.
const FAST = { leaseMs: 5_000, heartbeatMs: 250, idleWaitMs: 200, unknownWorkflowDelayMs: 250 } as const;

/**
 * Runs every bad-input case (and the corrupt-record cases of backends with a hook) on each backend, each
 * beside `size.healthy` healthy runs on the same workers, and returns the figures. Bounded in time: every
 * wait has a timeout, and a case that overruns is a violation.
 */
export async function runChaos(options: RunChaosOptions): Promise<CaseResult[]> {
  const print = options.print ?? ((): void => undefined);
  const results: CaseResult[] = [];
  for (const name of options.backends) {
    const hook = CORRUPT_HOOKS[name];
    const cases = [...badInputCases(), ...(hook ? corruptCases(hook) : [])];
    print(
      `▶ ${name}: ${cases.length} cases, ${options.size.healthy} healthy runs beside each (${options.size.name} size)`,
    );
    const made = await createBackend(name);
    try {
      for (const result of await runCases(made.backend, name, cases, options.size)) {
        results.push(result);
        const mark = result.violations.length === 0 ? 'ok  ' : 'FAIL';
        print(
          `  ${mark} ${result.name.padEnd(36)} ${result.outcome} · ${result.ms} ms · healthy ` +
            `${result.healthyCompleted}/${result.healthyTotal} (slowest ${result.healthyMaxMs} ms)`,
        );
        for (const v of result.violations) print(`       ✗ ${v}`);
      }
    } finally {
      await made.dispose();
    }
  }
  return results;
}

async function runCases(
  backend: Backend,
  name: string,
  cases: readonly ChaosCase[],
  size: ChaosSize,
): Promise<CaseResult[]> {
  const healthy = healthyWorkflow();
  const known = [healthy, ...cases.flatMap((c) => c.workflows)];
  const orchestrator = new DistributedOrchestrator({
    backend,
    workflows: [...known, ...cases.flatMap((c) => c.orchestratorOnly ?? [])],
  });
  const workers = Array.from(
    { length: WORKERS },
    () => new DistributedWorker({ backend, workflows: known, concurrency: CONCURRENCY, ...FAST }),
  );
  const extra: DistributedWorker[] = [];
  await Promise.all(workers.map((w) => w.start()));
  const results: CaseResult[] = [];
  try {
    for (const c of cases) {
      const began = performance.now();
      const healthyRuns = Array.from({ length: size.healthy }, async (_, i) => {
        const t0 = performance.now();
        const id = await orchestrator.start(healthy, i);
        const info = await orchestrator.wait(id, { timeoutMs: size.caseTimeoutMs }).catch(() => undefined);
        return { ok: info?.status === 'completed' && info.output === i * 4, ms: performance.now() - t0 };
      });
      let outcome: string;
      let violations: string[];
      try {
        const bad = await c.run({
          backend,
          orchestrator,
          size,
          async startWorker(workflows) {
            const worker = new DistributedWorker({ backend, workflows, ...FAST });
            extra.push(worker);
            await worker.start();
            return () => worker.close({ graceMs: 0 });
          },
        });
        outcome = bad.outcome;
        violations = [...bad.violations];
      } catch (error) {
        outcome = 'threw';
        violations = [`the case threw: ${error instanceof Error ? error.message : String(error)}`];
      }
      const ms = Math.round(performance.now() - began);
      const done = await Promise.all(healthyRuns);
      const completed = done.filter((d) => d.ok).length;
      if (completed < size.healthy)
        violations.push(`${size.healthy - completed} healthy run(s) did not complete`);
      results.push({
        backend: name,
        name: c.name,
        outcome,
        ms,
        healthyCompleted: completed,
        healthyTotal: size.healthy,
        healthyMaxMs: Math.round(Math.max(0, ...done.map((d) => d.ms))),
        violations,
      });
    }
  } finally {
    await Promise.all([...workers, ...extra].map((w) => w.close({ graceMs: 0 })));
  }
  return results;
}
