// Entry point of the P7 local-memory process: runs a 10-node chain with `wf.run` over and over,
// sampling RSS, and reports over IPC. A process of its own so earlier scenarios' heap does not count.
import { floxideChain } from '../floxide/local-workflows.js';
import type { RssSample } from './worker-protocol.js';
import { nowMs } from './step-probe.js';

/** The report of the local-memory process. */
export interface LocalMemoryReport {
  readonly type: 'local-memory';
  readonly steps: number;
  readonly wrong: number;
  readonly ms: number;
  readonly rss: readonly RssSample[];
}

const NODES = 10;

/** Runs `BENCH_LOCAL_STEPS` steps and sends the report. */
async function main(): Promise<void> {
  const steps = Number(process.env['BENCH_LOCAL_STEPS'] ?? '1000000');
  const samples = Number(process.env['BENCH_RSS_SAMPLES'] ?? '50');
  const runs = Math.ceil(steps / NODES);
  const every = Math.max(1, Math.floor(runs / samples));
  const wf = floxideChain(NODES);
  const rss: RssSample[] = [];
  let wrong = 0;
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    if ((await wf.run(0)) !== NODES) wrong++;
    if (i % every === 0 || i === runs - 1)
      rss.push({ at: nowMs(), steps: (i + 1) * NODES, rss: process.memoryUsage.rss() });
  }
  const report: LocalMemoryReport = {
    type: 'local-memory',
    steps: runs * NODES,
    wrong,
    ms: performance.now() - started,
    rss,
  };
  process.send?.(report);
  process.disconnect?.();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `local memory run failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
  process.disconnect?.();
});
